// auth::SaslLogin — the LOGIN state machine.
// Hand-written: two prompts and two decodes; see sasl_text for the shared
// base64 and field rules.

#include "herald/auth/sasl_login.hpp"

#include "herald/auth/sasl_text.hpp"

namespace herald::auth {

SaslLogin::Step SaslLogin::start(std::optional<std::string_view> initial_b64) {
  if (state_ != State::idle) return fail("LOGIN exchange already started");
  if (!initial_b64) {
    state_ = State::want_username;
    return SaslChallenge{std::string(kLoginUsernameChallenge)};
  }
  return take_username(*initial_b64);
}

SaslLogin::Step SaslLogin::respond(std::string_view line_b64) {
  if (state_ != State::want_username && state_ != State::want_password) {
    return fail("LOGIN exchange is not waiting for a response");
  }
  if (is_sasl_cancel(line_b64)) return fail("authentication cancelled by the client", true);
  return state_ == State::want_username ? take_username(line_b64) : take_password(line_b64);
}

SaslLogin::Step SaslLogin::take_username(std::string_view line_b64) {
  auto decoded = decode_sasl_response(line_b64);
  if (!decoded) return fail(decoded.error().message);
  if (auto c = check_sasl_identity(decoded->view(), "username"); !c) return fail(c.error().message);
  username_ = std::string(decoded->view());
  state_ = State::want_password;
  return SaslChallenge{std::string(kLoginPasswordChallenge)};
}

SaslLogin::Step SaslLogin::take_password(std::string_view line_b64) {
  auto decoded = decode_sasl_response(line_b64);
  if (!decoded) return fail(decoded.error().message);
  if (auto c = check_sasl_password(decoded->view()); !c) return fail(c.error().message);
  state_ = State::done;
  return SaslCredentials{"", std::move(username_), std::move(*decoded)};
}

SaslLogin::Step SaslLogin::fail(std::string reason, bool cancelled) {
  state_ = State::done;
  username_.clear();
  return SaslFailure{std::move(reason), cancelled};
}

}  // namespace herald::auth
