// auth::ScramServer — SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, 7677,
// tls-exporter binding per RFC 9266) as a pure state machine, plus the salted
// keys the store keeps. Must not do I/O, look up users or read TLS state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "herald/auth/sasl_mechanism.hpp"
#include "herald/base/result.hpp"

namespace herald::auth {

inline constexpr std::string_view kScramSha256 = "SCRAM-SHA-256";
inline constexpr std::string_view kScramSha256Plus = "SCRAM-SHA-256-PLUS";
// RFC 7677 §4: at least 4096. Clients pay this on every login (servers only
// at key creation), so raising it slows msmtp on small boxes; keys carry
// their own count, so a later raise keeps old keys valid.
inline constexpr std::uint32_t kScramDefaultIterations = 4096;
inline constexpr std::uint32_t kScramMinIterations = 4096;
// Bounds the PBKDF2 work a stored (or hostile) key string can ask for.
inline constexpr std::uint32_t kScramMaxIterations = 10'000'000;
inline constexpr std::size_t kScramSaltSize = 16;
inline constexpr std::size_t kScramKeySize = 32;  // SHA-256 output
// RFC 9266: the session fills ScramOptions::tls_exporter with 32 bytes from
// SSL_export_keying_material(ssl, out, 32, label, no context). Only sound on
// TLS 1.3 (or 1.2 with extended master secret); otherwise don't offer -PLUS.
inline constexpr std::string_view kTlsExporterLabel = "EXPORTER-Channel-Binding";
inline constexpr std::size_t kTlsExporterSize = 32;

// What the store keeps per login instead of a password (RFC 5802 §3). All
// byte strings are raw (not base64). stored_key lets no one log in by itself,
// but with a sniffed exchange it does: treat it as secret.
struct ScramKeys {
  std::string salt;
  std::uint32_t iterations = 0;
  std::string stored_key;  // SHA-256(HMAC(SaltedPassword, "Client Key"))
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")
};

// SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations). The
// password is used as given: callers must SASLprep it (ASCII passwords are
// unchanged by SASLprep). Throws std::runtime_error only if OpenSSL fails.
ScramKeys derive_scram_keys(std::string_view password, std::string_view salt,
                            std::uint32_t iterations);
// derive_scram_keys with a fresh random 16-byte salt. Refuses an empty
// password, one over 255 octets, and iterations outside min..max.
base::Result<ScramKeys> make_scram_keys(std::string_view password,
                                        std::uint32_t iterations = kScramDefaultIterations);

// RFC 5803 form: "SCRAM-SHA-256$<iter>:<b64 salt>$<b64 stored>:<b64 server>".
std::string format_scram_keys(const ScramKeys& keys);
// Strict inverse of format_scram_keys; errors never echo the input.
base::Result<ScramKeys> parse_scram_keys(std::string_view text);

// The exchange needs the keys of `username` (already SASLprep-checked and
// =2C/=3D decoded). The caller looks them up (possibly on a worker) and calls
// provide_keys(): nullopt for an unknown user or one without SCRAM keys.
struct ScramKeysNeeded {
  std::string authzid;  // empty, or equal to username
  std::string username;
};

// The proof matched and the client acknowledged the server-final message:
// the session replies 235 and records `username` as authenticated.
struct ScramAuthenticated {
  std::string authzid;
  std::string username;
};

// Authentication failed for a security reason (wrong password, unknown user,
// channel-binding mismatch, downgrade): reply 535 and count it toward the
// lockout. `server_error` is the RFC 5802 e= value ("invalid-proof");
// `server_final_b64` encodes "e=<server_error>" for a session that prefers to
// send it as a 334 challenge first (RFC 4954 has no room for it in 535).
// `reason` is safe to log and never contains client bytes.
struct ScramRejected {
  std::string username;
  std::string server_error;
  std::string server_final_b64;
  std::string reason;
};

// SaslChallenge: send "334 <b64>" and feed the reply to respond(). The second
// challenge is the server-final "v=" message; the client answers it with an
// empty line, after which the step is ScramAuthenticated. SaslFailure: a
// malformed exchange (501), as for PLAIN and LOGIN.
using ScramStep =
    std::variant<SaslChallenge, ScramKeysNeeded, ScramAuthenticated, ScramRejected, SaslFailure>;

struct ScramOptions {
  // This instance serves SCRAM-SHA-256-PLUS: the client must send
  // "p=tls-exporter" and bind to `tls_exporter`.
  bool plus = false;
  // The server advertised -PLUS on this connection. A client of the plain
  // mechanism that sends "y" (it could bind but thinks we can't) is then
  // being downgraded by someone in the middle and is refused.
  bool plus_advertised = false;
  // The RFC 9266 exporter value (kTlsExporterSize bytes); required with plus.
  std::string tls_exporter;
  // Tests only: the server's part of the nonce. Empty: 18 random bytes, b64.
  std::string server_nonce;
  // Key for the fake keys of unknown users. Empty: a random per-process
  // secret, so an unknown user's salt changes across restarts; a caller that
  // wants it stable passes a persisted secret.
  std::string fake_key_secret;
};

// How the session drives it (one instance per AUTH command):
//   start(ir)        -> SaslChallenge{""} if no initial response, else as below
//   start/respond(client-first) -> ScramKeysNeeded{username}
//   provide_keys(keys or nullopt) -> SaslChallenge{server-first}
//   respond(client-final)       -> SaslChallenge{server-final "v=..."} or ScramRejected
//   respond("" or "=")          -> ScramAuthenticated
// An unknown user gets deterministic fake keys, so the exchange looks the
// same and fails only at the proof (no user enumeration). "*" cancels at any
// point; after a final step every call fails.
class ScramServer {
 public:
  explicit ScramServer(ScramOptions options = {});
  ~ScramServer();
  ScramServer(const ScramServer&) = delete;
  ScramServer& operator=(const ScramServer&) = delete;

  std::string_view name() const { return options_.plus ? kScramSha256Plus : kScramSha256; }
  ScramStep start(std::optional<std::string_view> initial_b64);
  ScramStep respond(std::string_view line_b64);
  ScramStep provide_keys(std::optional<ScramKeys> keys);

 private:
  ScramStep take_client_first(std::string_view line_b64);
  ScramStep take_client_final(std::string_view line_b64);
  ScramStep take_ack(std::string_view line_b64);
  ScramStep fail(std::string reason, bool cancelled = false);
  ScramStep reject(std::string server_error, std::string reason);
  void wipe_keys();

  enum class State { idle, want_client_first, want_keys, want_client_final, want_ack, done };
  State state_ = State::idle;
  ScramOptions options_;
  std::string gs2_header_;         // as sent, e.g. "n,," or "p=tls-exporter,,"
  std::string client_first_bare_;  // for AuthMessage
  std::string server_first_;
  std::string nonce_;  // client nonce + server nonce
  std::string authzid_;
  std::string username_;
  ScramKeys keys_;
};

// The fake keys for an unknown `username` under `secret` (exposed for tests):
// HMAC-derived, stable per (secret, username), default iteration count.
ScramKeys fake_scram_keys(std::string_view secret, std::string_view username);

}  // namespace herald::auth
