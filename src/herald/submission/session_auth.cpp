// submission::Session — the AUTH part of the session glue: runs the SASL
// state machines (PLAIN, LOGIN, SCRAM-SHA-256), asks the verifiers on the
// worker pool, applies lockout, and answers every failure alike and no
// sooner than the failure floor. Split from session.cpp to keep each file
// about one job.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "herald/base/log.hpp"
#include "herald/submission/await_callback.hpp"
#include "herald/submission/session.hpp"

namespace herald::submission {

asio::awaitable<void> Session::begin_auth(const smtp::Event& event) {
  sasl_mechanism_ = event.text;
  auth_started_ = std::chrono::steady_clock::now();
  sasl_.reset();
  scram_.reset();
  if (auto locked = ctx_.lockout.check(client_ip_, ""); locked) {
    protocol_.auth_failed(lockout_reply(locked));
    co_return;
  }
  std::optional<std::string_view> initial;
  if (event.has_argument) initial = event.argument;
  if (event.text == auth::kScramSha256) {
    scram_ = std::make_unique<auth::ScramServer>();
    auto step = scram_->start(initial);
    co_await handle_scram_step(std::move(step));
    co_return;
  }
  sasl_ = auth::make_sasl_server(event.text);
  if (!sasl_) {
    protocol_.auth_failed({504, "5.5.4", "Unrecognized authentication mechanism"});
    co_return;
  }
  auto step = sasl_->start(initial);
  co_await handle_sasl_step(std::move(step));
}

asio::awaitable<void> Session::continue_auth(const smtp::Event& event) {
  if (scram_) {
    auto step = scram_->respond(event.argument);
    co_await handle_scram_step(std::move(step));
  } else if (sasl_) {
    auto step = sasl_->respond(event.argument);
    co_await handle_sasl_step(std::move(step));
  } else {
    protocol_.auth_failed({503, "5.5.1", "No authentication in progress"});
  }
}

void Session::sasl_failed(const auth::SaslFailure& failure) {
  sasl_.reset();
  scram_.reset();
  if (failure.cancelled) {
    protocol_.auth_failed({501, "5.7.0", "Authentication cancelled"});
  } else {
    protocol_.auth_failed(
        {501, "5.5.2", "Cannot decode the authentication response: " + failure.reason});
  }
}

asio::awaitable<void> Session::handle_sasl_step(auth::SaslStep step) {
  if (auto* challenge = std::get_if<auth::SaslChallenge>(&step)) {
    protocol_.auth_challenge(challenge->b64);
    co_return;
  }
  if (auto* failure = std::get_if<auth::SaslFailure>(&step)) {
    sasl_failed(*failure);
    co_return;
  }
  auto& credentials = std::get<auth::SaslCredentials>(step);
  const bool is_key = policy::same_address(credentials.username, ctx_.config.auth.api_key_username);
  // API keys are counted per key, so failures against one cannot lock out
  // every application that uses a key.
  std::string lock_name = credentials.username;
  if (is_key) {
    auto token = auth::parse_api_key(credentials.password.view());
    lock_name = "apikey:" + (token ? token->id : std::string("malformed"));
  }
  // A locked login answers after the same floor as a wrong password, and
  // unknown names are locked too, so neither reveals which logins exist.
  auto locked = ctx_.lockout.check(client_ip_, lock_name);
  AuthOutcome outcome;
  outcome.lock_name = lock_name;
  outcome.locked = locked;
  if (locked) {
    outcome.reason = "locked out";
  } else if (is_key) {
    // API key: the user name is the configured marker, the password the token.
    auto key = co_await run_blocking(ctx_.workers, [this, &credentials] {
      return ctx_.api_keys.verify(credentials.password.view(), client_ip_);
    });
    outcome.ok = key.ok;
    outcome.reason = key.reason_for_log;
    if (key.ok && key.new_network) {
      base::log_warn("key_new_network",
                     {{"session", id_}, {"ip", client_ip_}, {"key", key.key_id}});
      ctx_.audit.record({0, 0, "auth", "key_new_network", "key:" + key.key_id, client_ip_,
                         "API key used from an address it was not used from before"});
    }
    outcome.identity = {"key:" + key.key_id,
                        key.account,
                        true,
                        key.key_id,
                        std::move(key.scopes),
                        std::move(key.sender_patterns),
                        std::move(key.account_addresses)};
  } else {
    auto result = co_await run_blocking(ctx_.workers, [this, &credentials] {
      return ctx_.verifier.verify(credentials.username, credentials.password.view());
    });
    outcome.ok = result.ok;
    outcome.reason = result.reason_for_log;
    outcome.identity = {result.identity, result.account};
  }
  sasl_.reset();
  co_await finish_auth(std::move(outcome));
}

asio::awaitable<void> Session::handle_scram_step(auth::ScramStep step) {
  for (;;) {
    if (auto* challenge = std::get_if<auth::SaslChallenge>(&step)) {
      protocol_.auth_challenge(challenge->b64);
      co_return;
    }
    if (auto* failure = std::get_if<auth::SaslFailure>(&step)) {
      sasl_failed(*failure);
      co_return;
    }
    if (auto* need = std::get_if<auth::ScramKeysNeeded>(&step)) {
      scram_username_ = need->username;
      scram_login_.reset();
      if (auto locked = ctx_.lockout.check(client_ip_, scram_username_); locked) {
        scram_.reset();
        // Named, not a braced temporary in the co_await expression: GCC 12
        // destroys such temporaries twice (coroutine temporaries bug).
        AuthOutcome outcome{false, {}, scram_username_, "locked out", locked};
        co_await finish_auth(std::move(outcome));
        co_return;
      }
      std::string username = scram_username_;
      auto record = co_await run_blocking(
          ctx_.workers, [this, &username] { return ctx_.store.find_login(username); });
      std::optional<auth::ScramKeys> keys;
      if (record && *record && !(*record)->scram_keys.empty()) {
        if (auto parsed = auth::parse_scram_keys((*record)->scram_keys)) {
          keys = std::move(*parsed);
          scram_login_ = policy::Identity{(*record)->address, (*record)->account};
        }
      }
      // Unknown logins (and logins without SCRAM keys) get fake keys inside
      // the state machine and fail at the proof, like a wrong password.
      step = scram_->provide_keys(std::move(keys));
      continue;
    }
    if (std::holds_alternative<auth::ScramAuthenticated>(step) && scram_login_) {
      scram_.reset();
      AuthOutcome outcome{true, *scram_login_, scram_username_, "ok", {}};
      co_await finish_auth(std::move(outcome));
      co_return;
    }
    std::string reason = "SCRAM proof did not match";
    if (auto* rejected = std::get_if<auth::ScramRejected>(&step)) reason = rejected->reason;
    scram_.reset();
    AuthOutcome outcome{false, {}, scram_username_, reason, {}};
    co_await finish_auth(std::move(outcome));
    co_return;
  }
}

asio::awaitable<void> Session::finish_auth(AuthOutcome outcome) {
  if (outcome.ok) {
    ctx_.lockout.record_success(outcome.lock_name);
    std::string who = outcome.identity.login;
    identity_ = std::move(outcome.identity);
    protocol_.auth_succeeded(who);
    ctx_.audit.record({0, 0, "auth", "auth_ok", who, client_ip_, "mechanism=" + sasl_mechanism_});
    base::log_info(
        "auth_ok",
        {{"session", id_}, {"ip", client_ip_}, {"mechanism", sasl_mechanism_}, {"identity", who}});
    co_return;
  }
  // Same reply and same minimum time whatever failed; the log and the
  // audit trail keep the detail for the operator.
  auto floor = auth_started_ + ctx_.auth_failure_floor;
  if (std::chrono::steady_clock::now() < floor) {
    asio::steady_timer wait(stream_.socket().get_executor(), floor);
    asio::error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  const std::string& name = outcome.lock_name;
  base::log_warn("auth_failed", {{"session", id_},
                                 {"ip", client_ip_},
                                 {"mechanism", sasl_mechanism_},
                                 {"identity", name},
                                 {"reason", outcome.reason}});
  ctx_.audit.record({0, 0, "auth", "auth_failed", name, client_ip_,
                     "mechanism=" + sasl_mechanism_ + " reason=" + outcome.reason});
  if (outcome.locked) {
    protocol_.auth_failed(lockout_reply(outcome.locked));
    co_return;
  }
  if (auto now_locked = ctx_.lockout.record_failure(client_ip_, name); now_locked) {
    const char* scope = now_locked.locked == auth::Lockout::Scope::ip ? "ip" : "login";
    ctx_.audit.record(
        {0, 0, "auth", "auth_lockout", name, client_ip_, std::string("scope=") + scope});
    base::log_warn(
        "auth_lockout",
        {{"session", id_},
         {"ip", client_ip_},
         {"scope", scope},
         {"identity", name},
         {"until",
          fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                      fmt::gmtime(std::chrono::system_clock::to_time_t(now_locked.until)))}});
  }
  protocol_.auth_failed({535, "5.7.8", "Authentication credentials invalid"});
}

smtp::Reply Session::lockout_reply(const auth::Lockout::Status& locked) const {
  std::string until = fmt::format("{:%H:%M:%S} UTC",
                                  fmt::gmtime(std::chrono::system_clock::to_time_t(locked.until)));
  if (locked.locked == auth::Lockout::Scope::ip) {
    return {454, "4.7.0", "Too many failed logins from your address; locked out until " + until};
  }
  return {454, "4.7.0", "Too many failed logins for this login; locked out until " + until};
}

}  // namespace herald::submission
