// auth::SaslLogin — the LOGIN mechanism (draft-murchison-sasl-login):
// "Username:" and "Password:" challenges, each answered in base64. A pure
// state machine; must not verify the password.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "herald/auth/sasl_mechanism.hpp"

namespace herald::auth {

inline constexpr std::string_view kLoginUsernameChallenge = "VXNlcm5hbWU6";  // "Username:"
inline constexpr std::string_view kLoginPasswordChallenge = "UGFzc3dvcmQ6";  // "Password:"

class SaslLogin final : public SaslServer {
 public:
  std::string_view name() const override { return "LOGIN"; }
  // An initial response is the base64 username (as sent by e.g. Outlook).
  Step start(std::optional<std::string_view> initial_b64) override;
  Step respond(std::string_view line_b64) override;

 private:
  Step take_username(std::string_view line_b64);
  Step take_password(std::string_view line_b64);
  Step fail(std::string reason, bool cancelled = false);

  enum class State { idle, want_username, want_password, done } state_ = State::idle;
  std::string username_;
};

}  // namespace herald::auth
