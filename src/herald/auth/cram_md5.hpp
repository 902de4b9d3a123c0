// auth::SaslCramMd5 — the CRAM-MD5 mechanism (RFC 2195): one challenge
// "<random.timestamp@hostname>", answered by "username SP hex-digest". A pure
// state machine; must not look up secrets or verify the digest itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "herald/auth/sasl_mechanism.hpp"

namespace herald::auth {

// Trade-off (why CRAM-MD5 is opt-in per login): the server must keep a
// password-equivalent secret (the password itself, or its HMAC-MD5 inner and
// outer states), so a store leak gives an attacker every such login at once;
// Argon2 hashes cannot serve it. In exchange the password never crosses the
// wire, which no longer matters once TLS is mandatory. Prefer SCRAM-SHA-256.

// The client's answer. The session looks up the login's CRAM-MD5 secret for
// `username` and calls verify_cram_md5(secret, challenge, digest_hex); a
// missing secret must take the same path with a dummy one (no enumeration).
struct CramMd5Response {
  std::string username;
  std::string digest_hex;  // 32 lowercase hex digits
  std::string challenge;   // the decoded challenge this answers
};

// SaslChallenge: send "334 <b64>". SaslFailure: malformed exchange (501).
using CramMd5Step = std::variant<SaslChallenge, CramMd5Response, SaslFailure>;

struct CramMd5Options {
  // The host part of the challenge; anything other than a plain host name is
  // replaced by "localhost" (it is echoed inside <...>).
  std::string hostname = "localhost";
  // Tests only: fixed challenge parts. nullopt: random / current time.
  std::optional<std::uint64_t> random;
  std::optional<std::uint64_t> timestamp;
};

class SaslCramMd5 {
 public:
  explicit SaslCramMd5(CramMd5Options options = {});

  std::string_view name() const { return "CRAM-MD5"; }
  // CRAM-MD5 is server-first, so an initial response is refused.
  CramMd5Step start(std::optional<std::string_view> initial_b64);
  CramMd5Step respond(std::string_view line_b64);
  // The decoded challenge ("<...>"); empty before start().
  const std::string& challenge() const { return challenge_; }

 private:
  CramMd5Step fail(std::string reason, bool cancelled = false);

  enum class State { idle, want_response, done } state_ = State::idle;
  CramMd5Options options_;
  std::string challenge_;
};

// True when `hex_digest` (either case) is hex(HMAC-MD5(secret, challenge)).
// Constant time in the digest's value; a malformed digest is simply false.
bool verify_cram_md5(std::string_view secret, std::string_view challenge,
                     std::string_view hex_digest);

// hex(HMAC-MD5(secret, challenge)), lowercase: what a client sends.
std::string cram_md5_digest(std::string_view secret, std::string_view challenge);

}  // namespace herald::auth
