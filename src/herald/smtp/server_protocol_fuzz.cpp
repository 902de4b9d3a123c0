// libFuzzer target for smtp::ServerProtocol: drives a whole session with
// fuzz bytes, accepting every decision, in reads of fuzz-chosen sizes. The
// output must always be well-formed reply lines, and a message the
// protocol lets through (data_end ok) never holds a NUL octet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "herald/smtp/server_protocol.hpp"

using herald::smtp::EventKind;

namespace {

void check_output(const std::string& out) {
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find("\r\n", start);
    if (end == std::string::npos) std::abort();  // every reply line ends in CRLF
    const std::string_view line = std::string_view(out).substr(start, end - start);
    if (line.size() < 3) std::abort();
    for (int i = 0; i < 3; ++i) {
      if (line[i] < '0' || line[i] > '9') std::abort();
    }
    if (line.find('\r') != std::string_view::npos || line.find('\n') != std::string_view::npos) {
      std::abort();
    }
    start = end + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  herald::smtp::ServerConfig config;
  config.hostname = "mx.example.com";
  config.starttls_available = (data[0] & 1) != 0;
  config.tls_active = (data[0] & 2) != 0;
  config.auth_required = (data[0] & 4) != 0;
  config.max_message_size = 2000;
  config.max_recipients = 3;
  config.max_errors = 50;
  config.max_command_line = 128;
  config.max_text_line = 200;
  config.max_auth_line = 256;
  const std::size_t step = 1 + data[1] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  herald::smtp::ServerProtocol p(config);
  p.greet();
  std::string out = p.take_output();
  std::size_t pos = 0;
  bool challenged = false;
  std::string message;  // data_chunk content since data_begin
  while (!p.closing()) {
    const herald::smtp::Event e = p.next();
    switch (e.kind) {
      case EventKind::need_input:
        if (p.awaiting_decision()) std::abort();
        if (pos >= input.size()) goto done;
        p.receive(input.substr(pos, step));
        pos += step;
        break;
      case EventKind::mail:
        p.accept_mail();
        break;
      case EventKind::rcpt:
        p.accept_rcpt();
        break;
      case EventKind::data_begin:
        message.clear();
        p.accept_data();
        break;
      case EventKind::data_end:
        if (e.status == herald::smtp::DataStatus::ok) {
          if (message.find('\0') != std::string::npos) std::abort();
          p.message_queued("Q1");
        }
        break;
      case EventKind::data_chunk:
        if (e.data.empty()) std::abort();
        message.append(e.data);
        break;
      case EventKind::auth:
      case EventKind::auth_response:
        // Alternate between a challenge and a verdict to cover both paths.
        if (!challenged) {
          p.auth_challenge("");
        } else if (e.argument.size() % 2 == 0) {
          p.auth_succeeded("user");
        } else {
          p.auth_failed({535, "5.7.8", "Authentication credentials invalid"});
        }
        challenged = !challenged;
        break;
      case EventKind::starttls:
        p.tls_started();
        break;
      default:
        break;
    }
    if (p.awaiting_decision() && e.kind != EventKind::need_input) std::abort();
  }
done:
  out += p.take_output();
  check_output(out);
  return 0;
}
