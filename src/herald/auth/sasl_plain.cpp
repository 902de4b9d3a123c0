// auth::SaslPlain — PLAIN decoding and its two-step state machine.
// Hand-written: the format is three fields; no library gives a sans-I/O
// server side with our limits and wiping.

#include "herald/auth/sasl_plain.hpp"

#include "herald/auth/sasl_text.hpp"

namespace herald::auth {

base::Result<PlainCredentials> decode_sasl_plain(std::string_view response_b64) {
  auto decoded = decode_sasl_response(response_b64);
  if (!decoded) return decoded.error();
  const std::string_view msg = decoded->view();
  const auto nul1 = msg.find('\0');
  const auto nul2 = nul1 == std::string_view::npos ? nul1 : msg.find('\0', nul1 + 1);
  if (nul2 == std::string_view::npos) {
    return base::make_error("PLAIN response needs authzid NUL username NUL password");
  }
  const std::string_view authzid = msg.substr(0, nul1);
  const std::string_view authcid = msg.substr(nul1 + 1, nul2 - nul1 - 1);
  const std::string_view passwd = msg.substr(nul2 + 1);
  if (auto c = check_sasl_identity(authcid, "username"); !c) return c.error();
  if (auto c = check_sasl_password(passwd); !c) return c.error();  // also catches a 3rd NUL
  if (!authzid.empty()) {
    if (auto c = check_sasl_identity(authzid, "authorization identity"); !c) return c.error();
    if (authzid != authcid) {
      return base::make_error(
          "authorization identity differs from the username; herald does not support proxy "
          "authorization, leave it empty");
    }
  }
  PlainCredentials out;
  out.authzid = std::string(authzid);
  out.username = std::string(authcid);
  out.password = SecretString(passwd);
  return out;  // `decoded` wipes the whole message as it goes
}

SaslPlain::Step SaslPlain::start(std::optional<std::string_view> initial_b64) {
  if (state_ != State::idle) {
    state_ = State::done;
    return SaslFailure{"PLAIN exchange already started"};
  }
  if (!initial_b64) {
    state_ = State::want_response;
    return SaslChallenge{""};
  }
  return finish(*initial_b64);
}

SaslPlain::Step SaslPlain::respond(std::string_view line_b64) {
  if (state_ != State::want_response) {
    state_ = State::done;
    return SaslFailure{"PLAIN exchange is not waiting for a response"};
  }
  if (is_sasl_cancel(line_b64)) {
    state_ = State::done;
    return SaslFailure{"authentication cancelled by the client", true};
  }
  return finish(line_b64);
}

SaslPlain::Step SaslPlain::finish(std::string_view response_b64) {
  state_ = State::done;
  auto creds = decode_sasl_plain(response_b64);
  if (!creds) return SaslFailure{creds.error().message};
  return SaslCredentials{std::move(creds->authzid), std::move(creds->username),
                         std::move(creds->password)};
}

}  // namespace herald::auth
