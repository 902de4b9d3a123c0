// libFuzzer target for the SASL text paths: PLAIN decoding, the PLAIN and
// LOGIN state machines, the XOAUTH2/OAUTHBEARER parsers and state machine,
// and the JWT verifier. Input: one mode byte, then lines split on '\n'.
// Checks invariants (limits, no NUL in passwords, finished machines stay
// finished) with abort(), so any violation is a crash the fuzzer reports.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/auth/jwks.hpp"
#include "herald/auth/jwt.hpp"
#include "herald/auth/sasl_login.hpp"
#include "herald/auth/sasl_oauth.hpp"
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

void check_bearer(const BearerToken& t) {
  check(!t.token.empty());
  check(t.authzid.size() <= 255);
  check(t.authzid.find('\0') == std::string::npos);
}

// Drives the OAuth machine; a token always gets refused, so the error
// challenge round trip is exercised too.
void drive_oauth(OauthMechanism mechanism, const std::vector<std::string>& lines, bool initial) {
  OauthServer m(mechanism);
  std::size_t i = 0;
  OauthStep step =
      (initial && !lines.empty()) ? m.start(std::string_view(lines[i++])) : m.start(std::nullopt);
  bool finished = false;
  for (;;) {
    if (const auto* t = std::get_if<BearerToken>(&step)) {
      check_bearer(*t);
      step = m.reject("mail.send");
      check(std::holds_alternative<SaslChallenge>(step));
    } else if (std::holds_alternative<SaslFailure>(step) ||
               std::holds_alternative<OauthRejected>(step)) {
      finished = true;
    }
    if (i >= lines.size()) break;
    step = m.respond(lines[i++]);
    if (finished) check(std::holds_alternative<SaslFailure>(step));
  }
}

// A fixed key set (one Ed25519 key with kid "k") for the JWT parser. No
// fuzzed token can carry a valid signature, so verify_jwt must never
// answer ok.
const Jwks& fuzz_keys() {
  static const Jwks keys = [] {
    auto parsed = parse_jwks(
        R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
    check(parsed.ok());
    return std::move(*parsed);
  }();
  return keys;
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

  if (auto t = parse_xoauth2(rest)) check_bearer(*t);
  if (auto t = parse_oauthbearer(rest)) check_bearer(*t);
  const JwtPolicy policy{"https://issuer.example/", "smtp", "mail.send"};
  const auto result =
      verify_jwt(rest, fuzz_keys(), policy, std::chrono::system_clock::time_point{});
  check(!result.ok() && result.identity.empty());

  SaslPlain plain;
  drive(plain, lines, initial);
  SaslLogin login;
  drive(login, lines, initial);
  drive_oauth(OauthMechanism::xoauth2, lines, initial);
  drive_oauth(OauthMechanism::oauthbearer, lines, initial);
  return 0;
}
