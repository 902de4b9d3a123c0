// submission::serve — the server's life: opens the store and spool, builds
// the shared Context, the listeners (connection limits and stress mode
// before any session exists), signals (SIGHUP reloads TLS) and an orderly
// stop. It owns no session logic: the I/O threads do all the I/O, and the
// calling thread only waits for the stop and then drains.
#include "herald/submission/server.hpp"

#include <asio/signal_set.hpp>
#include <asio/thread_pool.hpp>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include "herald/auth/credential_verifier.hpp"
#include "herald/auth/jwks.hpp"
#include "herald/auth/sasl_oauth.hpp"
#include "herald/auth/scram.hpp"
#include "herald/base/log.hpp"
#include "herald/base/units.hpp"
#include "herald/net/io_pool.hpp"
#include "herald/net/listener.hpp"
#include "herald/spool/spool.hpp"
#include "herald/store/store.hpp"
#include "herald/submission/session.hpp"

namespace herald::submission {
namespace {

const char* tls_name(config::TlsMode m) {
  switch (m) {
    case config::TlsMode::none:
      return "none";
    case config::TlsMode::starttls:
      return "starttls";
    case config::TlsMode::implicit:
      return "implicit";
  }
  return "?";
}

void refuse(asio::ip::tcp::socket& socket, const config::Listener& listener,
            const std::string& hostname, net::ConnectionLimiter::Refusal why) {
  // On a plain-text start we can say why; on implicit TLS we just close
  // rather than pay for a handshake we would throw away.
  if (listener.tls != config::TlsMode::implicit) {
    std::string reply =
        why == net::ConnectionLimiter::Refusal::per_ip
            ? "421 4.7.0 " + hostname +
                  " Too many connections from your address; try again later\r\n"
            : "421 4.3.2 " + hostname + " Too many connections; try again later\r\n";
    asio::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(reply), ec);
  }
  asio::error_code ec;
  socket.close(ec);
}

bool uses_oauth(const config::Config& config) {
  for (const auto& m : config.auth.mechanisms) {
    if (m == auth::kXoauth2 || m == auth::kOauthBearer) return true;
  }
  return false;
}

}  // namespace

base::Result<void> check_supported(const config::Config& config) {
  for (const auto& m : config.auth.mechanisms) {
    if (m == auth::kXoauth2 || m == auth::kOauthBearer) {
      if (config.oauth.enabled()) continue;
      return base::make_error("[auth] mechanisms: " + m +
                              " needs an [oauth] table (issuer, audience, and jwks_file or "
                              "jwks_url) to check bearer tokens; add one or remove " +
                              m);
    }
    if (m != "PLAIN" && m != "LOGIN" && m != auth::kScramSha256 && m != auth::kScramSha256Plus &&
        m != "CRAM-MD5") {
      return base::make_error("[auth] mechanisms: " + m +
                              " is not available in this version; remove it (available: PLAIN, "
                              "LOGIN, SCRAM-SHA-256, SCRAM-SHA-256-PLUS, CRAM-MD5, XOAUTH2, "
                              "OAUTHBEARER)");
    }
  }
  return {};
}

base::Result<void> serve(const config::Config& config, const ServiceFactory& services,
                         metrics::HeraldMetrics* metrics) {
  if (auto supported = check_supported(config); !supported) return supported;
  // OpenSSL writes to sockets with write(2): a vanished client must give
  // EPIPE, not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  std::error_code fs_ec;
  std::filesystem::create_directories(config.data_dir, fs_ec);
  if (fs_ec) {
    return base::make_error("cannot create data_dir " + config.data_dir + ": " + fs_ec.message());
  }
  auto store = store::Store::open(config.store.sqlite_path);
  if (!store) return store.error();
  auto spool = spool::Spool::open(config.data_dir);
  if (!spool) return spool.error();

  std::shared_ptr<net::TlsContext> tls;
  bool needs_tls = false;
  for (const auto& l : config.listeners) needs_tls |= l.tls != config::TlsMode::none;
  if (needs_tls) {
    auto created = net::TlsContext::create(
        {config.tls.certificate, config.tls.private_key, config.tls.min_version});
    if (!created) return created.error();
    tls = *created;
  }

  auth::CredentialVerifier verifier(*store);
  // Before the limiter: its stress callback walks the sessions.
  SessionRegistry sessions;
  net::ConnectionLimiter limiter(config.limits.max_connections,
                                 config.limits.max_connections_per_ip);
  limiter.on_stress_change([&config, &sessions](bool on, std::size_t active) {
    const auto& l = config.limits;
    // Sessions that began before the stress shorten their deadlines too.
    if (on) {
      sessions.for_each([](std::shared_ptr<Session> s) { Session::apply_stress(std::move(s)); });
    }
    base::log_warn(
        "stress_mode",
        {{"state", on ? "on" : "off"},
         {"connections", std::to_string(active)},
         {"max_connections", std::to_string(l.max_connections)},
         {"command_timeout",
          base::format_duration(on ? std::min(l.command_timeout, l.stress_command_timeout)
                                   : l.command_timeout)}});
  });
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  asio::thread_pool workers(std::max(2u, cores));
  net::IoPool pool(config.threads > 0 ? static_cast<std::size_t>(config.threads) : cores);
  // The same limit counts failures per IP and per login name.
  auth::Lockout lockout({.max_failures_per_ip = config.auth.max_failures_per_ip,
                         .max_failures_per_login = config.auth.max_failures_per_ip,
                         .lockout = config.auth.lockout,
                         .window = config.auth.lockout});
  auth::ApiKeyVerifier api_keys(*store);
  store::AuditWriter audit(*store);
  events::ActivityRecorder activity(*store, config.activity.retention);
  PolicyCache policy_cache;
  // Opens the store's change probe here, so no I/O thread ever opens it.
  (void)store->policy_version();
  Context context{config, tls,    limiter, verifier, api_keys, lockout,
                  audit,  *store, **spool, workers,  sessions, policy_cache};
  DkimKeyring dkim(*store);
  context.dkim = &dkim;
  policy::RateLimiter rates;
  context.rates = &rates;
  context.metrics = metrics;
  context.activity = &activity;
  if (metrics) {
    (*spool)->set_batch_observer([metrics](std::chrono::duration<double> took) {
      metrics->spool_commit_seconds().observe(took.count());
    });
  }
  // Shared with the start-up fetch, which may outlive an early return.
  std::shared_ptr<auth::JwksSource> jwks;
  if (uses_oauth(config)) {
    jwks = std::make_shared<auth::JwksSource>(
        auth::JwksSourceOptions{.file = config.oauth.jwks_file, .url = config.oauth.jwks_url});
    auto log_keys = [source = jwks.get()](const auth::JwksSnapshot& s) {
      if (!s.error.empty()) base::log_warn("oauth_jwks_error", {{"error", s.error}});
      if (!s.keys) return;
      for (const auto& why : s.keys->skipped) {
        base::log_warn("oauth_jwks_key_skipped", {{"source", source->where()}, {"key", why}});
      }
      base::log_info("oauth_jwks_loaded",
                     {{"source", source->where()}, {"keys", std::to_string(s.keys->keys.size())}});
    };
    if (!config.oauth.jwks_file.empty()) {
      // A file is local: a broken one is a start-up error, not a surprise
      // at the first AUTH.
      auto first = jwks->get();
      if (!first.keys) return base::make_error("[oauth] jwks_file: " + first.error);
      log_keys(first);
    } else {
      // The first fetch runs on a worker so that start-up never waits on
      // the issuer; an AUTH before it finishes fetches (or waits) itself.
      asio::post(workers, [jwks, log_keys] { log_keys(jwks->get()); });
    }
    context.jwks = jwks.get();
  }

  std::vector<std::unique_ptr<net::Listener>> listeners;
  for (const auto& l : config.listeners) {
    const config::Listener* listener = &l;
    auto opened = net::Listener::open(
        pool, l.host, l.port, [&context, listener, &limiter, &config](asio::ip::tcp::socket s) {
          asio::error_code ec;
          auto remote = s.remote_endpoint(ec);
          std::string ip = ec ? "unknown" : remote.address().to_string();
          net::ConnectionLimiter::Refusal why;
          auto slot = limiter.acquire(ip, why);
          if (!slot) {
            base::log_warn("connection_refused",
                           {{"ip", ip},
                            {"reason", why == net::ConnectionLimiter::Refusal::per_ip
                                           ? "max_connections_per_ip"
                                           : "max_connections"}});
            refuse(s, *listener, config.hostname, why);
            return;
          }
          Session::start(
              std::make_shared<Session>(context, *listener, std::move(s), std::move(slot)));
        });
    if (!opened) return opened.error();
    listeners.push_back(std::move(*opened));
    base::log_info("listening",
                   {{"address", l.address},
                    {"tls", tls_name(l.tls)},
                    {"auth", l.auth == config::AuthMode::required ? "required" : "optional"}});
  }

  std::unique_ptr<Service> service;  // before the signal handler, which reloads it
  std::mutex mutex;
  std::condition_variable stopped;
  bool stop = false;
  asio::signal_set signals(pool.first(), SIGINT, SIGTERM, SIGHUP);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec,
                                                                    int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      if (tls) {
        auto reloaded = tls->reload();
        if (reloaded) {
          base::log_info("tls_reloaded", {{"certificate", config.tls.certificate}});
        } else {
          base::log_error("tls_reload_failed", {{"error", reloaded.error().message}});
        }
      }
      if (service) service->reload();
      signals.async_wait(on_signal);
      return;
    }
    base::log_info("stopping", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
    std::lock_guard lock(mutex);
    stop = true;
    stopped.notify_all();
  };
  signals.async_wait(on_signal);

  if (services) {
    auto started = services(**spool, *store, activity);
    if (!started) return started.error();
    service = std::move(*started);
  }

  for (auto& l : listeners) l->start();
  pool.run();
  {
    std::unique_lock lock(mutex);
    stopped.wait(lock, [&] { return stop; });
  }
  for (auto& l : listeners) l->stop();
  sessions.for_each([](std::shared_ptr<Session> s) { Session::request_stop(std::move(s)); });
  // Sessions in the middle of a message get a moment to finish; nothing
  // unacknowledged is lost either way, the client will retry.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (limiter.active() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pool.stop();
  pool.join();
  workers.join();
  if (service) service->stop();
  (*spool)->stop();
  audit.stop();
  activity.stop();  // after the sessions and the scheduler: their last events go too
  const auto cache = policy_cache.stats();
  base::log_info("policy_cache",
                 {{"hits", std::to_string(cache.hits)}, {"misses", std::to_string(cache.misses)}});
  base::log_info("stopped");
  return {};
}

}  // namespace herald::submission
