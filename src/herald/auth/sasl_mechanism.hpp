// auth::SaslServer — the common shape of a server-side SASL mechanism: a
// pure state machine fed base64 lines, answering with the next step. It must
// not do I/O, look up users or check passwords; the session does that.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "herald/auth/secret_string.hpp"

namespace herald::auth {

// Send "334 <b64>" and feed the client's next line to respond(). An empty
// b64 means an empty challenge ("334 ").
struct SaslChallenge {
  std::string b64;
};

// The exchange finished with a username and password to verify.
struct SaslCredentials {
  std::string authzid;  // empty, or equal to username (no proxy auth)
  std::string username;
  SecretString password;
};

// The exchange failed before any credential check (RFC 4954: 501). The
// reason is safe to log and to show: it never contains client bytes.
struct SaslFailure {
  std::string reason;
  bool cancelled = false;  // the client sent "*"
};

using SaslStep = std::variant<SaslChallenge, SaslCredentials, SaslFailure>;

// Later mechanisms (CRAM-MD5, SCRAM-SHA-256, OAUTHBEARER) implement this
// too; one that verifies in-protocol can add a step kind without changing
// PLAIN or LOGIN. One instance serves one AUTH command.
class SaslServer {
 public:
  using Step = SaslStep;
  virtual ~SaslServer() = default;

  // The mechanism's name as advertised in EHLO ("PLAIN").
  virtual std::string_view name() const = 0;
  // Called once. `initial_b64` is the initial response from "AUTH MECH ir"
  // ("=" means an empty one), or nullopt when the client sent none.
  virtual Step start(std::optional<std::string_view> initial_b64) = 0;
  // Called with each client line after a challenge. "*" cancels. After a
  // final step (credentials or failure) every call fails.
  virtual Step respond(std::string_view line_b64) = 0;
};

// A fresh state machine for `mechanism` (case-insensitive), or null when
// herald does not implement it.
std::unique_ptr<SaslServer> make_sasl_server(std::string_view mechanism);

// Names make_sasl_server() accepts, in the order to advertise them.
std::span<const std::string_view> sasl_mechanisms();

}  // namespace herald::auth
