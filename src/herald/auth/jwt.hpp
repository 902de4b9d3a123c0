// auth::verify_jwt — checks a JWT access token (compact JWS) against an
// issuer's keys and Herald's [oauth] policy and names who it is for. Pure:
// the keys and the time are passed in; must not fetch keys, read a clock,
// look up logins, or put any part of the token into an error message.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "herald/auth/jwks.hpp"

namespace herald::auth {

// A real access token is 1-2 KiB; anything far larger is an attack on the
// parser, not a token.
inline constexpr std::size_t kMaxJwtSize = 8 * 1024;
// Allowed disagreement between our clock and the issuer's.
inline constexpr std::chrono::seconds kJwtClockSkew{60};

struct JwtPolicy {
  std::string issuer;          // "iss" must equal it exactly
  std::string audience;        // "aud" (string or array) must contain it
  std::string required_scope;  // in "scope" or "scp"; empty: none required
  std::chrono::seconds clock_skew = kJwtClockSkew;
};

enum class JwtStatus {
  ok,
  malformed,      // not a well-formed compact JWS or JSON
  unknown_key,    // "kid" names no key in the set: a fresher set may have it
  bad_signature,  // key/algorithm refused, or the signature does not verify
  bad_claims,     // issuer, audience, time, scope or identity unacceptable
};

struct JwtResult {
  JwtStatus status = JwtStatus::malformed;
  // The token's user when ok: the "email" claim (unless "email_verified" is
  // false), else "sub".
  std::string identity;
  // Why it failed, for the log: never token bytes or claim values.
  std::string reason;
  bool ok() const { return status == JwtStatus::ok; }
};

// Verifies signature first, then claims:
//  - header "alg" must be the algorithm of the chosen key (RS256, ES256,
//    EdDSA); "none", HS* and anything else are refused; "crit" is refused;
//  - the key is the one whose "kid" matches; a token without "kid" is
//    accepted only when the set holds exactly one key;
//  - "exp" is required and must be after now - skew; "nbf" and "iat", when
//    present, must not be after now + skew.
JwtResult verify_jwt(std::string_view token, const Jwks& keys, const JwtPolicy& policy,
                     std::chrono::system_clock::time_point now);

}  // namespace herald::auth
