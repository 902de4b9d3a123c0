// libFuzzer target for smtp::parse_command: any line must parse without
// crashing, errors must carry a printable reply, and a MAIL/RCPT address that
// was accepted must parse again from its own text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "herald/mail/address.hpp"
#include "herald/smtp/command_parser.hpp"

using herald::smtp::Verb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool utf8 = (data[0] & 1) != 0;
  const std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
  const herald::smtp::Command cmd = herald::smtp::parse_command(line, utf8);
  if (cmd.error) {
    const auto& r = *cmd.error;
    if (r.code < 500 || r.code > 555 || r.text.empty()) std::abort();
    if (r.text.find_first_of("\r\n") != std::string::npos) std::abort();
    return 0;
  }
  if ((cmd.verb == Verb::mail || cmd.verb == Verb::rcpt) && !cmd.path.null) {
    const bool path_utf8 = cmd.verb == Verb::mail ? cmd.mail.smtputf8 : utf8;
    const std::string again = "<" + cmd.path.address.to_string() + ">";
    if (!herald::mail::parse_path(again, path_utf8).ok()) std::abort();
  }
  return 0;
}
