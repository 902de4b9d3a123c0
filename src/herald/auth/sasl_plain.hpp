// auth::SaslPlain — the PLAIN mechanism (RFC 4616): one base64 message
// "authzid NUL authcid NUL passwd". Decodes and checks the message only;
// must not verify the password or support acting as another user.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "herald/auth/sasl_mechanism.hpp"
#include "herald/auth/secret_string.hpp"
#include "herald/base/result.hpp"

namespace herald::auth {

struct PlainCredentials {
  std::string authzid;  // empty, or equal to username
  std::string username;
  SecretString password;
};

// Decodes one PLAIN response. Rejects bad base64, a missing NUL, an empty
// username or password, fields over 255 octets, and an authzid that differs
// from the username (herald has no proxy authorization).
base::Result<PlainCredentials> decode_sasl_plain(std::string_view response_b64);

class SaslPlain final : public SaslServer {
 public:
  std::string_view name() const override { return "PLAIN"; }
  // Without an initial response, asks for it with an empty challenge.
  Step start(std::optional<std::string_view> initial_b64) override;
  Step respond(std::string_view line_b64) override;

 private:
  Step finish(std::string_view response_b64);
  enum class State { idle, want_response, done } state_ = State::idle;
};

}  // namespace herald::auth
