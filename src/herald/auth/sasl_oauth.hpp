// auth::OauthServer — the XOAUTH2 (Google's) and OAUTHBEARER (RFC 7628)
// mechanisms as one pure state machine: decodes the client's message into
// a bearer token and answers a failed token with the JSON error challenge.
// Must not verify tokens, look up users or log: the session does that.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "herald/auth/sasl_mechanism.hpp"
#include "herald/auth/secret_string.hpp"
#include "herald/base/result.hpp"

namespace herald::auth {

inline constexpr std::string_view kXoauth2 = "XOAUTH2";
inline constexpr std::string_view kOauthBearer = "OAUTHBEARER";

enum class OauthMechanism { xoauth2, oauthbearer };

// Longest base64 client message: bounded by the SMTP layer's AUTH line
// limit (RFC 4954 §4: 12288 octets), room for an 8 KiB token.
inline constexpr std::size_t kMaxOauthResponseB64 = 12288;

// The decoded client message: verify `token`. `authzid` is the user= (XOAUTH2)
// or a= (OAUTHBEARER) value, empty when the client sent none; when present
// it must name the token's user.
struct BearerToken {
  std::string authzid;
  SecretString token;
};

// The client acknowledged the error challenge: reply 535 5.7.8.
struct OauthRejected {
  std::string reason;
};

// SaslChallenge: send "334 <b64>". SaslFailure: malformed exchange (501) or
// "*" (cancelled), as for PLAIN.
using OauthStep = std::variant<SaslChallenge, BearerToken, OauthRejected, SaslFailure>;

// One instance per AUTH command:
//   start(nullopt)        -> SaslChallenge{""}; respond(message) as below
//   start(ir)/respond(m)  -> BearerToken, or SaslFailure if malformed
//   the session verifies the token, then either accept() (done), or
//   reject(scope)         -> SaslChallenge{error JSON}
//   respond(any line)     -> OauthRejected (the client's "\x01" or "" ack)
// After a final step every call fails.
class OauthServer {
 public:
  explicit OauthServer(OauthMechanism mechanism) : mechanism_(mechanism) {}

  std::string_view name() const {
    return mechanism_ == OauthMechanism::xoauth2 ? kXoauth2 : kOauthBearer;
  }
  OauthStep start(std::optional<std::string_view> initial_b64);
  OauthStep respond(std::string_view line_b64);
  // The token was refused. `scope` is the scope a new token needs (may be
  // empty); the challenge never says why the token failed.
  OauthStep reject(std::string_view scope);
  void accept();

 private:
  OauthStep take_message(std::string_view line_b64);
  enum class State { idle, want_message, want_verdict, want_ack, done };
  OauthMechanism mechanism_;
  State state_ = State::idle;
};

// Decoded-message parsers, exposed for tests and the fuzzer. Errors never
// contain client bytes.
//   XOAUTH2:     "user=" U ^A "auth=Bearer " TOKEN ^A ^A
//   OAUTHBEARER: gs2-header ("n,a=U," / "n,,"; "y" too) ^A *(key=value ^A) ^A,
//                one key being auth="Bearer TOKEN" (RFC 7628 §3.1)
base::Result<BearerToken> parse_xoauth2(std::string_view message);
base::Result<BearerToken> parse_oauthbearer(std::string_view message);

// The base64 JSON error challenge: XOAUTH2 {"status":"401","schemes":
// "bearer","scope":...}; OAUTHBEARER {"status":"invalid_token","scope":...}.
std::string oauth_error_challenge(OauthMechanism mechanism, std::string_view scope);

}  // namespace herald::auth
