// libFuzzer target for the SASL text paths: PLAIN decoding and the PLAIN
// and LOGIN state machines. Input: one mode byte, then lines split on '\n'.
// Checks invariants (limits, no NUL in passwords, finished machines stay
// finished) with abort(), so any violation is a crash the fuzzer reports.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/auth/sasl_login.hpp"
#include "herald/auth/sasl_plain.hpp"
#include "herald/base/base64.hpp"

namespace {

using namespace herald::auth;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_credentials(const SaslCredentials& c) {
  check(!c.username.empty() && c.username.size() <= 255);
  check(!c.password.empty() && c.password.size() <= 255);
  check(c.password.view().find('\0') == std::string_view::npos);
  check(c.authzid.empty() || c.authzid == c.username);
}

// Drives one machine through all lines; returns nothing, aborts on a
// broken invariant.
void drive(SaslServer& m, const std::vector<std::string>& lines, bool initial) {
  std::size_t i = 0;
  SaslStep step =
      (initial && !lines.empty()) ? m.start(std::string_view(lines[i++])) : m.start(std::nullopt);
  bool finished = false;
  for (;;) {
    if (const auto* c = std::get_if<SaslCredentials>(&step)) {
      check_credentials(*c);
      finished = true;
    } else if (std::holds_alternative<SaslFailure>(step)) {
      finished = true;
    }
    if (i >= lines.size()) break;
    step = m.respond(lines[i++]);
    if (finished) check(std::holds_alternative<SaslFailure>(step));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  // Bit 0: lines are raw client text, or bytes to base64-encode first (so
  // the fuzzer reaches the field checks without learning base64).
  const bool encode = mode & 1;
  const bool initial = mode & 2;
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos <= rest.size() && lines.size() < 8;) {
    const auto nl = rest.find('\n', pos);
    const auto line = rest.substr(pos, nl == std::string_view::npos ? rest.npos : nl - pos);
    lines.push_back(encode ? herald::base::base64_encode(line) : std::string(line));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }

  // The decoder on the whole input, raw and encoded.
  if (auto c = decode_sasl_plain(rest)) {
    check_credentials(SaslCredentials{c->authzid, c->username, std::move(c->password)});
  }
  if (auto c = decode_sasl_plain(herald::base::base64_encode(rest))) {
    check_credentials(SaslCredentials{c->authzid, c->username, std::move(c->password)});
  }

  SaslPlain plain;
  drive(plain, lines, initial);
  SaslLogin login;
  drive(login, lines, initial);
  return 0;
}
