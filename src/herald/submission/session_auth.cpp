// submission::Session — the AUTH part of the session glue: runs the SASL
// state machines (PLAIN, LOGIN, SCRAM-SHA-256, CRAM-MD5, XOAUTH2,
// OAUTHBEARER), asks the verifiers (passwords, API keys, JWT bearer tokens,
// sealed CRAM-MD5 secrets) on the worker pool, applies lockout, and answers
// every failure alike and no sooner than the failure floor. Split from
// session.cpp to keep each file about one job.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "herald/auth/cram_key.hpp"
#include "herald/auth/jwt.hpp"
#include "herald/base/log.hpp"
#include "herald/net/await_callback.hpp"
#include "herald/submission/session.hpp"

namespace herald::submission {
namespace {

std::string lockout_scope_name(auth::Lockout::Scope scope) {
  return scope == auth::Lockout::Scope::ip ? "ip" : "login";
}

std::string utc_time(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

}  // namespace

asio::awaitable<void> Session::begin_auth(const smtp::Event& event) {
  sasl_mechanism_ = event.text;
  auth_started_ = std::chrono::steady_clock::now();
  sasl_.reset();
  scram_.reset();
  oauth_.reset();
  cram_.reset();
  if (auto locked = ctx_.lockout.check(client_ip_, ""); locked) {
    // The name is not known yet: only an IP lockout refuses here.
    note_locked_refusal("", locked);
    count_auth(metrics::AuthResult::locked);
    protocol_.auth_failed(lockout_reply(locked));
    co_return;
  }
  std::optional<std::string_view> initial;
  if (event.has_argument) initial = event.argument;
  if (event.text == auth::kScramSha256 || event.text == auth::kScramSha256Plus) {
    auth::ScramOptions options;
    // A client that could bind but was told we can't ("y") is being
    // downgraded when we did offer -PLUS (RFC 5802 §6).
    options.plus_advertised = channel_binding_ && plus_configured();
    if (event.text == auth::kScramSha256Plus) {
      options.plus = true;
      options.tls_exporter = tls_exporter();
      if (options.tls_exporter.empty()) {
        protocol_.auth_failed({454, "4.7.0", "TLS channel binding is not available now"});
        co_return;
      }
    }
    scram_ = std::make_unique<auth::ScramServer>(std::move(options));
    auto step = scram_->start(initial);
    co_await handle_scram_step(std::move(step));
    co_return;
  }
  if (event.text == auth::kCramMd5) {
    // The challenge names this server: <random.timestamp@hostname>.
    cram_ =
        std::make_unique<auth::SaslCramMd5>(auth::CramMd5Options{.hostname = ctx_.config.hostname});
    auto step = cram_->start(initial);
    co_await handle_cram_step(std::move(step));
    co_return;
  }
  if (event.text == auth::kXoauth2 || event.text == auth::kOauthBearer) {
    if (ctx_.jwks == nullptr) {  // listed without [oauth]: config refuses that
      protocol_.auth_failed({504, "5.5.4", "Unrecognized authentication mechanism"});
      co_return;
    }
    oauth_ = std::make_unique<auth::OauthServer>(event.text == auth::kXoauth2
                                                     ? auth::OauthMechanism::xoauth2
                                                     : auth::OauthMechanism::oauthbearer);
    auto step = oauth_->start(initial);
    co_await handle_oauth_step(std::move(step));
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
  } else if (oauth_) {
    auto step = oauth_->respond(event.argument);
    co_await handle_oauth_step(std::move(step));
  } else if (cram_) {
    auto step = cram_->respond(event.argument);
    co_await handle_cram_step(std::move(step));
  } else {
    protocol_.auth_failed({503, "5.5.1", "No authentication in progress"});
  }
}

void Session::sasl_failed(const auth::SaslFailure& failure) {
  sasl_.reset();
  scram_.reset();
  oauth_.reset();
  cram_.reset();
  if (failure.cancelled) {
    protocol_.auth_failed({501, "5.7.0", "Authentication cancelled"});
  } else {
    protocol_.auth_failed(
        {501, "5.5.2", "Cannot decode the authentication response: " + failure.reason});
  }
}

asio::awaitable<void> Session::handle_sasl_step(auth::SaslStep step) {
  if (relay_challenge_or_failure(step)) co_return;
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
    outcome.identity = {.login = "key:" + key.key_id,
                        .account = key.account,
                        .api_key = true,
                        .key_id = key.key_id,
                        .scopes = std::move(key.scopes),
                        .sender_patterns = std::move(key.sender_patterns),
                        .account_addresses = std::move(key.account_addresses)};
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
    if (relay_challenge_or_failure(step)) co_return;
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

namespace {

// What the worker found out about a CRAM-MD5 answer (see handle_cram_step).
struct CramCheck {
  bool ok = false;
  std::string reason;  // for the log; never a secret
  policy::Identity identity;
};

// Runs on the worker pool: the store lookup, the key file read and the
// secretbox open may all wait on the disk. Every failure ends in the same
// 535 after the failure floor; only the logged reason differs.
CramCheck check_cram_md5(store::CredentialStore& store, const std::string& data_dir,
                         const auth::CramMd5Response& response) {
  CramCheck c;
  auto found = store.find_login(response.username);
  if (!found) {
    c.reason = "login store unavailable: " + found.error().message;
  } else if (!*found) {
    c.reason = "unknown login";
  } else if ((*found)->cram_secret.empty()) {
    c.reason = "CRAM-MD5 is not enabled for this login";
  } else if (auto key = auth::CramKey::load(auth::cram_key_path(data_dir)); !key) {
    c.reason = "CRAM-MD5 key unavailable: " + key.error().message;
  } else if (auto secret = key->open((*found)->cram_secret); !secret) {
    c.reason = secret.error().message;
  } else {
    c.ok = auth::verify_cram_md5(secret->view(), response.challenge, response.digest_hex);
    c.reason = c.ok ? "ok" : "wrong CRAM-MD5 digest";
    if (c.ok) c.identity = {(*found)->address, (*found)->account};
    return c;
  }
  // No secret to check against: do the same HMAC work with a dummy one.
  (void)auth::verify_cram_md5("herald: no CRAM-MD5 secret", response.challenge,
                              response.digest_hex);
  return c;
}

}  // namespace

asio::awaitable<void> Session::handle_cram_step(auth::CramMd5Step step) {
  if (relay_challenge_or_failure(step)) co_return;
  const auto& response = std::get<auth::CramMd5Response>(step);
  cram_.reset();
  AuthOutcome outcome;
  outcome.lock_name = response.username;
  if (auto locked = ctx_.lockout.check(client_ip_, response.username); locked) {
    outcome.locked = locked;
    outcome.reason = "locked out";
    co_await finish_auth(std::move(outcome));
    co_return;
  }
  auto check = co_await run_blocking(ctx_.workers, [this, &response] {
    return check_cram_md5(ctx_.store, ctx_.config.data_dir, response);
  });
  outcome.ok = check.ok;
  outcome.reason = std::move(check.reason);
  outcome.identity = std::move(check.identity);
  co_await finish_auth(std::move(outcome));
}

namespace {

// What the worker found out about a bearer token (see handle_oauth_step).
struct BearerCheck {
  auth::JwtResult jwt;
  std::string jwks_error;  // loading the keys failed (older keys may still serve)
  std::optional<store::LoginRecord> login;
  std::string store_error;
};

}  // namespace

asio::awaitable<void> Session::handle_oauth_step(auth::OauthStep step) {
  if (relay_challenge_or_failure(step)) co_return;
  if (std::holds_alternative<auth::OauthRejected>(step)) {
    // The failure was counted, logged and delayed before the challenge.
    oauth_.reset();
    protocol_.auth_failed({535, "5.7.8", "Authentication credentials invalid"});
    co_return;
  }
  auto& bearer = std::get<auth::BearerToken>(step);
  AuthOutcome outcome;
  outcome.lock_name = bearer.authzid;
  if (!bearer.authzid.empty()) outcome.locked = ctx_.lockout.check(client_ip_, bearer.authzid);
  if (outcome.locked) {
    oauth_.reset();
    outcome.reason = "locked out";
    co_await finish_auth(std::move(outcome));
    co_return;
  }
  // Keys may need a file read or an HTTPS fetch, and the login a SQLite
  // read: all on the worker pool.
  auto check = co_await run_blocking(ctx_.workers, [this, &bearer] {
    const auto& o = ctx_.config.oauth;
    const auth::JwtPolicy policy{o.issuer, o.audience, o.required_scope};
    BearerCheck c;
    auto keys = ctx_.jwks->get();
    c.jwks_error = keys.error;
    c.jwt.reason = "no signing keys loaded from " + ctx_.jwks->where();
    if (keys.keys) {
      const auto now = std::chrono::system_clock::now();
      c.jwt = auth::verify_jwt(bearer.token.view(), *keys.keys, policy, now);
      if (c.jwt.status == auth::JwtStatus::unknown_key) {
        // The issuer may have rotated its keys since we loaded them.
        auto fresh = ctx_.jwks->get(true);
        if (!fresh.error.empty()) c.jwks_error = fresh.error;
        if (fresh.keys && fresh.keys != keys.keys) {
          c.jwt = auth::verify_jwt(bearer.token.view(), *fresh.keys, policy, now);
        }
      }
    }
    if (c.jwt.ok()) {
      auto found = ctx_.store.find_login(c.jwt.identity);
      if (!found) {
        c.store_error = found.error().message;
      } else if (*found) {
        c.login = std::move(**found);
      }
    }
    return c;
  });
  if (!check.jwks_error.empty()) {
    base::log_warn("oauth_jwks_error", {{"session", id_}, {"error", check.jwks_error}});
  }
  const std::string& identity = check.jwt.identity;
  if (outcome.lock_name.empty()) {
    // No name from the client: count the token's user, or one shared name
    // that nothing checks (the per-IP count still applies).
    outcome.lock_name = identity.empty() ? "oauth:anonymous" : identity;
  }
  if (!check.jwt.ok()) {
    outcome.reason = check.jwt.reason;
  } else if (!bearer.authzid.empty() && !policy::same_address(bearer.authzid, identity)) {
    outcome.reason = "the user named in the exchange is not the token's user";
  } else if (!check.store_error.empty()) {
    outcome.reason = "login store unavailable: " + check.store_error;
  } else if (!check.login) {
    outcome.reason = "the token's user has no login";
  } else if (auto locked = ctx_.lockout.check(client_ip_, identity); locked) {
    outcome.locked = locked;
    outcome.reason = "locked out";
  } else {
    oauth_->accept();
    oauth_.reset();
    outcome.ok = true;
    outcome.reason = "ok";
    outcome.identity = {.login = check.login->address, .account = check.login->account};
    co_await finish_auth(std::move(outcome));
    co_return;
  }
  if (outcome.locked) {
    oauth_.reset();
    co_await finish_auth(std::move(outcome));
    co_return;
  }
  // RFC 7628 §3.2.2: a refused token gets a JSON error challenge, and the
  // 535 follows the client's answer. Counting and delaying happen first, so
  // a client that cancels instead of answering gains nothing.
  auto reply = co_await account_auth_failure(std::move(outcome));
  if (reply.code != 535) {
    oauth_.reset();
    protocol_.auth_failed(reply);
    co_return;
  }
  auto challenge = oauth_->reject(ctx_.config.oauth.required_scope);
  if (auto* c = std::get_if<auth::SaslChallenge>(&challenge)) {
    protocol_.auth_challenge(c->b64);  // oauth_ stays for the client's answer
    co_return;
  }
  oauth_.reset();
  protocol_.auth_failed(reply);
}

asio::awaitable<void> Session::finish_auth(AuthOutcome outcome) {
  if (outcome.ok) {
    count_auth(metrics::AuthResult::ok);
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
  auto reply = co_await account_auth_failure(std::move(outcome));
  protocol_.auth_failed(reply);
}

asio::awaitable<smtp::Reply> Session::account_auth_failure(AuthOutcome outcome) {
  // Same reply and same minimum time whatever failed; the log and the
  // audit trail keep the detail for the operator.
  auto floor = auth_started_ + ctx_.auth_failure_floor;
  if (std::chrono::steady_clock::now() < floor) {
    asio::steady_timer wait(stream_.socket().get_executor(), floor);
    asio::error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  const std::string& name = outcome.lock_name;
  count_auth(outcome.locked ? metrics::AuthResult::locked : metrics::AuthResult::failed);
  if (outcome.locked) {
    // Refused because of a lockout: not a guess that counts, and audited
    // sparingly (see Lockout::record_refusal) so a flood stays readable.
    note_locked_refusal(name, outcome.locked);
    co_return lockout_reply(outcome.locked);
  }
  base::log_warn("auth_failed", {{"session", id_},
                                 {"ip", client_ip_},
                                 {"mechanism", sasl_mechanism_},
                                 {"identity", name},
                                 {"reason", outcome.reason}});
  ctx_.audit.record({0, 0, "auth", "auth_failed", name, client_ip_,
                     "mechanism=" + sasl_mechanism_ + " reason=" + outcome.reason});
  const auto caused = ctx_.lockout.record_failure(client_ip_, name);
  for (const auth::Lockout::Status* started : {&caused.ip, &caused.login}) {
    if (!*started) continue;
    const std::string scope = lockout_scope_name(started->locked);
    const std::string until = utc_time(started->until);
    ctx_.audit.record(
        {0, 0, "auth", "auth_lockout", name, client_ip_, "scope=" + scope + " until=" + until});
    base::log_warn("auth_lockout", {{"session", id_},
                                    {"ip", client_ip_},
                                    {"scope", scope},
                                    {"identity", name},
                                    {"until", until}});
  }
  co_return smtp::Reply{535, "5.7.8", "Authentication credentials invalid"};
}

void Session::count_auth(metrics::AuthResult result) {
  if (ctx_.metrics) {
    ctx_.metrics->auth(metrics::auth_mechanism_from_name(sasl_mechanism_), result).inc();
  }
}

void Session::note_locked_refusal(const std::string& name, const auth::Lockout::Status& locked) {
  const auto refusal = ctx_.lockout.record_refusal(client_ip_, name, locked);
  if (!refusal.audit) return;
  const std::string scope = lockout_scope_name(locked.locked);
  const std::string detail = fmt::format("scope={} refused={} new_address={} mechanism={} until={}",
                                         scope, refusal.refused, refusal.new_address ? "yes" : "no",
                                         sasl_mechanism_, utc_time(locked.until));
  ctx_.audit.record({0, 0, "auth", "auth_locked_refused", name, client_ip_, detail});
  base::log_warn("auth_locked_refused", {{"session", id_},
                                         {"ip", client_ip_},
                                         {"scope", scope},
                                         {"identity", name.empty() ? "-" : name},
                                         {"refused", std::to_string(refusal.refused)}});
}

smtp::Reply Session::lockout_reply(const auth::Lockout::Status& locked) const {
  std::string until = fmt::format("{:%H:%M:%S} UTC",
                                  fmt::gmtime(std::chrono::system_clock::to_time_t(locked.until)));
  if (locked.locked == auth::Lockout::Scope::ip) {
    return {454, "4.7.0", "Too many failed logins from your address; locked out until " + until};
  }
  return {454, "4.7.0", "Too many failed logins for this login; locked out until " + until};
}

void Session::note_tls_channel_binding() {
  // RFC 9266 §4.2: tls-exporter is sound on TLS 1.3 (and on 1.2 only with
  // extended master secret, which Herald does not rely on).
  SSL* ssl = stream_.native_ssl();
  channel_binding_ = ssl != nullptr && SSL_version(ssl) == TLS1_3_VERSION;
  protocol_.set_channel_binding(channel_binding_);
}

std::string Session::tls_exporter() {
  SSL* ssl = stream_.native_ssl();
  if (!channel_binding_ || ssl == nullptr) return {};
  std::string out(auth::kTlsExporterSize, '\0');
  if (SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                 auth::kTlsExporterLabel.data(), auth::kTlsExporterLabel.size(),
                                 nullptr, 0, 0) != 1) {
    return {};
  }
  return out;
}

bool Session::plus_configured() const {
  const auto& m = ctx_.config.auth.mechanisms;
  return std::find(m.begin(), m.end(), std::string(auth::kScramSha256Plus)) != m.end();
}

}  // namespace herald::submission
