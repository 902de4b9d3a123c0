// web::AdminServer — accept (allow_ip first, then the connection limit),
// one coroutine per connection on the admin I/O thread (TLS handshake,
// HTTP/1.1 keep-alive with deadlines), and the request pipeline run on the
// admin worker pool: /metrics, the token check with lockout, then the API.
// It must not block its I/O thread, and must never answer an address
// outside allow_ip with a single byte.
#include "herald/web/admin_server.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <chrono>
#include <variant>

#include "herald/admin/admin.hpp"
#include "herald/auth/admin_token.hpp"
#include "herald/auth/lockout.hpp"
#include "herald/base/cidr.hpp"
#include "herald/base/log.hpp"
#include "herald/http/problem.hpp"
#include "herald/http/request_parser.hpp"
#include "herald/net/await_callback.hpp"
#include "herald/net/io_pool.hpp"
#include "herald/net/listener.hpp"
#include "herald/net/smtp_stream.hpp"
#include "herald/net/tls_context.hpp"
#include "herald/net/watchdog.hpp"
#include "herald/web/api.hpp"

namespace herald::web {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kHandshakeTimeout = 10s;
constexpr auto kIdleTimeout = 60s;     // keep-alive: waiting for the next request
constexpr auto kRequestTimeout = 30s;  // from its first byte to its last
constexpr auto kWriteTimeout = 30s;
constexpr int kMaxRequestsPerConnection = 1000;
constexpr auto kLingerTimeout = 2s;
constexpr std::size_t kLingerBytes = 4 * 1024 * 1024;

std::vector<base::Cidr> parse_networks(const std::vector<std::string>& texts) {
  std::vector<base::Cidr> out;
  for (const auto& t : texts) {
    if (auto c = base::Cidr::parse(t)) out.push_back(*c);
  }
  return out;
}

bool in_networks(const std::vector<base::Cidr>& networks, const std::string& ip) {
  for (const auto& n : networks) {
    if (n.contains(ip)) return true;
  }
  return false;
}

// The bearer token of an Authorization header, or empty.
std::string_view bearer_of(const http::Request& request) {
  const std::string* h = request.header("authorization");
  if (h == nullptr) return {};
  std::string_view v(*h);
  if (v.size() < 7 || (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer ")) return {};
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return v;
}

}  // namespace

struct AdminServer::Impl {
  Impl(const config::Config& c, store::AdminStore& s, const metrics::Registry* m)
      : config(c),
        admin(s, c),
        api(admin),
        tokens(s),
        store(s),
        metrics(m),
        allow(parse_networks(c.admin.allow_ip)),
        metrics_allow(parse_networks(c.admin.metrics_allow_ip)),
        lockout({.max_failures_per_ip = c.auth.max_failures_per_ip,
                 .max_failures_per_login = 0,
                 .lockout = c.auth.lockout,
                 .window = c.auth.lockout}) {}

  asio::awaitable<void> serve(asio::ip::tcp::socket socket, std::string ip);
  http::Response handle(const http::Request& request, const std::string& ip);
  // The actor behind the request's bearer token, or the problem to send.
  std::variant<admin::Actor, http::Response> authenticate(const http::Request& request,
                                                          const std::string& ip);

  const config::Config& config;
  admin::Admin admin;
  Api api;
  auth::AdminTokenVerifier tokens;
  store::AdminStore& store;
  const metrics::Registry* metrics;
  std::function<void()> before_scrape;
  std::vector<base::Cidr> allow;
  std::vector<base::Cidr> metrics_allow;
  auth::Lockout lockout;
  std::shared_ptr<net::TlsContext> tls;
  // Before the pool: connection frames destroyed with the pool count down.
  std::atomic<std::size_t> connections{0};
  net::IoPool pool{1};
  asio::thread_pool workers{2};
  std::unique_ptr<net::Listener> listener;
};

std::variant<admin::Actor, http::Response> AdminServer::Impl::authenticate(
    const http::Request& request, const std::string& ip) {
  if (auto locked = lockout.check(ip, ""); locked) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             locked.until - std::chrono::system_clock::now())
                             .count();
    return http::problem(429, "Too Many Requests",
                         "too many wrong admin tokens from your address; wait, then send a "
                         "valid token",
                         "locked-out")
        .with_header("Retry-After", std::to_string(std::max<std::int64_t>(1, seconds)));
  }
  const std::string_view bearer = bearer_of(request);
  auto unauthorized = [](std::string_view detail) {
    return http::problem(401, "Unauthorized", detail, "unauthorized")
        .with_header("WWW-Authenticate", "Bearer realm=\"herald\"");
  };
  if (bearer.empty()) {
    return unauthorized(
        "send an admin token as 'Authorization: Bearer hat_...'; create one with 'herald "
        "admin-token create'");
  }
  auto verified = tokens.verify(bearer, ip);
  if (!verified.ok) {
    base::log_warn("admin_auth_failed", {{"ip", ip}, {"reason", verified.reason_for_log}});
    (void)store.add_audit({{0, 0, "auth", "admin_token_failed", "", ip, verified.reason_for_log}});
    if (auto now_locked = lockout.record_failure(ip, ""); now_locked.ip) {
      (void)store.add_audit({{0, 0, "auth", "auth_lockout", "", ip, "scope=ip service=admin"}});
      base::log_warn("auth_lockout", {{"ip", ip}, {"scope", "ip"}, {"service", "admin"}});
    }
    return unauthorized(
        "the admin token is not valid (unknown, revoked, expired, or not from "
        "this address); check it with 'herald admin-token list'");
  }
  auto actor = admin::Actor::from_scopes("token:" + verified.token.name, ip, verified.token.scopes);
  if (!actor) return problem_from(actor.error());
  return std::move(*actor);
}

http::Response AdminServer::Impl::handle(const http::Request& request, const std::string& ip) {
  if (request.path == "/metrics") {
    if (request.method != "GET") {
      return http::problem(405, "Method Not Allowed", "use GET for /metrics")
          .with_header("Allow", "GET");
    }
    if (metrics == nullptr) return http::problem(404, "Not Found", "metrics are not enabled");
    if (!in_networks(metrics_allow, ip)) {
      // Outside metrics_allow_ip: a token that may read everything.
      auto who = authenticate(request, ip);
      if (auto* r = std::get_if<http::Response>(&who)) return *r;
      if (!std::get<admin::Actor>(who).read_all) {
        return http::problem(403, "Forbidden", "/metrics needs a token with admin:read",
                             "forbidden");
      }
    }
    if (before_scrape) before_scrape();
    http::Response r;
    r.status = 200;
    r.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
    r.body = metrics->render();
    return r;
  }
  if (request.path == std::string(kApiPrefix) + "/openapi.json") {
    return api.handle(admin::Actor::from_scopes("anonymous", ip, {}).value(), request);
  }
  if (!request.path.starts_with(std::string(kApiPrefix) + "/")) {
    return http::problem(404, "Not Found",
                         "nothing here; the admin API is under /api/v1 (see "
                         "/api/v1/openapi.json), metrics at /metrics");
  }
  auto who = authenticate(request, ip);
  if (auto* r = std::get_if<http::Response>(&who)) return *r;
  return api.handle(std::get<admin::Actor>(who), request);
}

asio::awaitable<void> AdminServer::Impl::serve(asio::ip::tcp::socket socket, std::string ip) {
  struct Count {
    std::atomic<std::size_t>& n;
    ~Count() { --n; }
  } count{connections};
  auto executor = socket.get_executor();
  net::SmtpStream stream(std::move(socket), tls ? tls->current() : nullptr);
  // One deadline at a time; the watchdog cancels the stream when it passes.
  auto watchdog = net::Watchdog::start(executor, [&stream] { stream.cancel(); });
  struct StopWatchdog {
    std::shared_ptr<net::Watchdog> w;
    ~StopWatchdog() { w->stop(); }
  } stop_watchdog{watchdog};
  watchdog->arm(kHandshakeTimeout);
  auto arm = [&](Clock::time_point when) { watchdog->arm_at(when); };
  try {
    if (tls) co_await stream.handshake();
    std::string buffer;
    std::vector<char> chunk(16 * 1024);
    for (int served = 0; served < kMaxRequestsPerConnection; ++served) {
      http::RequestParser parser;
      bool started = !buffer.empty();
      arm(Clock::now() + (started ? kRequestTimeout : kIdleTimeout));
      bool continued = false;
      for (;;) {
        buffer.erase(0, parser.feed(buffer));
        if (parser.done() || parser.error()) break;
        if (parser.expects_continue() && !continued) {
          continued = true;
          co_await stream.write(http::continue_response());
        }
        const std::size_t n = co_await stream.read_some(chunk.data(), chunk.size());
        if (n == 0) throw std::runtime_error("closed");
        if (!started) {
          started = true;
          arm(Clock::now() + kRequestTimeout);  // the whole request from here
        }
        buffer.append(chunk.data(), n);
      }
      if (parser.error()) {
        arm(Clock::now() + kWriteTimeout);
        co_await stream.write(http::serialize(http::from_parse_error(*parser.error()), false));
        // Lingering close: read (and drop) what the client is still
        // sending, bounded in time and octets, so it reads our answer
        // instead of a connection reset.
        arm(Clock::now() + kLingerTimeout);
        for (std::size_t drained = 0; drained < kLingerBytes;) {
          const std::size_t n = co_await stream.read_some(chunk.data(), chunk.size());
          if (n == 0) break;
          drained += n;
        }
        break;
      }
      http::Request request = parser.take();
      const bool keep_alive = request.keep_alive && served + 1 < kMaxRequestsPerConnection;
      Impl* self = this;
      http::Response response = co_await net::run_blocking(
          workers, [self, &request, &ip] { return self->handle(request, ip); });
      response.with_header("Cache-Control", "no-store");
      response.with_header("X-Content-Type-Options", "nosniff");
      arm(Clock::now() + kWriteTimeout);
      co_await stream.write(http::serialize(response, keep_alive));
      if (!keep_alive) break;
    }
  } catch (const std::exception&) {
    // Timed out, closed by the client, or a TLS error: nothing to answer.
  }
  stream.close();
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  stop();
}

base::Result<std::unique_ptr<AdminServer>> AdminServer::start(const config::Config& config,
                                                              store::AdminStore& store,
                                                              const metrics::Registry* metrics,
                                                              std::function<void()> before_scrape,
                                                              dns::Resolver* resolver) {
  auto impl = std::make_unique<Impl>(config, store, metrics);
  impl->before_scrape = std::move(before_scrape);
  impl->admin.set_resolver(resolver);
  if (config.admin.tls) {
    net::TlsSettings settings{config.admin.certificate, config.admin.private_key,
                              config.tls.min_version};
    if (settings.certificate.empty()) {
      settings.certificate = config.tls.certificate;
      settings.private_key = config.tls.private_key;
    }
    if (settings.certificate.empty()) {
      return base::make_error(
          "[admin] tls needs a certificate: set [tls] certificate/private_key, or [admin] "
          "certificate/private_key (or tls = false behind a TLS proxy on loopback)");
    }
    auto created = net::TlsContext::create(settings);
    if (!created) return base::make_error("[admin]: " + created.error().message);
    impl->tls = *created;
  }
  Impl* self = impl.get();
  auto listener = net::Listener::open(
      impl->pool, config.admin.host, config.admin.port, [self](asio::ip::tcp::socket s) {
        asio::error_code ec;
        auto remote = s.remote_endpoint(ec);
        std::string ip = ec ? "unknown" : remote.address().to_string();
        // Outside allow_ip: closed before a single byte is read or written.
        if (!in_networks(self->allow, ip)) {
          base::log_warn("admin_refused", {{"ip", ip}, {"reason", "not in [admin] allow_ip"}});
          s.close(ec);
          return;
        }
        if (self->connections.load() >= self->config.admin.max_connections) {
          base::log_warn("admin_refused", {{"ip", ip}, {"reason", "max_connections"}});
          s.close(ec);
          return;
        }
        ++self->connections;
        auto executor = s.get_executor();
        asio::co_spawn(executor, self->serve(std::move(s), std::move(ip)), asio::detached);
      });
  if (!listener) return base::make_error("[admin] address: " + listener.error().message);
  impl->listener = std::move(*listener);
  impl->listener->start();
  impl->pool.run();
  base::log_info("admin_listening",
                 {{"address", config.admin.address}, {"tls", config.admin.tls ? "yes" : "no"}});
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

void AdminServer::reload_tls() {
  if (!impl_ || !impl_->tls) return;
  if (auto r = impl_->tls->reload(); !r) {
    base::log_error("admin_tls_reload_failed", {{"error", r.error().message}});
  }
}

void AdminServer::stop() {
  if (!impl_) return;
  if (impl_->listener) impl_->listener->stop();
  impl_->pool.stop();
  impl_->pool.join();
  impl_->workers.join();
  impl_.reset();
}

}  // namespace herald::web
