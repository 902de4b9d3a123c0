#include "herald/bench/load_generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "herald/base/base64.hpp"

namespace herald::bench {
namespace {

using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct SmtpError : std::runtime_error {
  explicit SmtpError(std::string code) : std::runtime_error(code) {}
};

// One client connection; replies are read whole (multi-line included).
class Client {
 public:
  Client(const asio::any_io_executor& ex, asio::ssl::context& tls)
      : socket_(ex), tls_(socket_, tls) {}

  asio::awaitable<void> connect(const tcp::endpoint& endpoint) {
    co_await socket_.async_connect(endpoint, asio::use_awaitable);
    socket_.set_option(tcp::no_delay(true));
  }
  asio::awaitable<void> handshake() {
    co_await tls_.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    secure_ = true;
  }
  asio::awaitable<void> send(std::string_view bytes) {
    if (secure_) {
      co_await asio::async_write(tls_, asio::buffer(bytes.data(), bytes.size()),
                                 asio::use_awaitable);
    } else {
      co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                                 asio::use_awaitable);
    }
  }
  // Reads one reply; throws SmtpError with the code unless it starts with `expect`.
  asio::awaitable<std::string> expect(char expect) {
    std::string reply;
    for (;;) {
      std::size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        char chunk[4096];
        std::size_t n =
            secure_ ? co_await tls_.async_read_some(asio::buffer(chunk), asio::use_awaitable)
                    : co_await socket_.async_read_some(asio::buffer(chunk), asio::use_awaitable);
        buffer_.append(chunk, n);
      }
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 2);
      reply += line + "\n";
      if (line.size() < 4 || line[3] != '-') {
        if (line.empty() || line[0] != expect) throw SmtpError(line.substr(0, 3));
        co_return reply;
      }
    }
  }
  void close() {
    asio::error_code ec;
    socket_.close(ec);
  }

 private:
  tcp::socket socket_;
  asio::ssl::stream<tcp::socket&> tls_;
  std::string buffer_;
  bool secure_ = false;
};

struct Shared {
  const Options& options;
  tcp::endpoint endpoint;
  asio::ssl::context& tls;
  std::string message;  // dot-safe, CRLF, ends with CRLF
  std::atomic<std::size_t> remaining;
  std::mutex mutex;
  std::vector<double> acceptance;
  std::vector<double> setup;
  std::map<std::string, std::size_t> errors;
  std::size_t ok = 0, failed = 0, connections = 0, idle_open = 0;

  void error(const std::string& kind) {
    std::lock_guard lock(mutex);
    ++errors[kind];
  }
};

std::string make_message(const Options& o) {
  std::string from = o.from.empty() ? o.user : o.from;
  std::string m = fmt::format(
      "From: <{}>\r\nTo: <{}>\r\nSubject: herald bench\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n"
      "Message-ID: <bench@herald>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n",
      from, o.to);
  std::string line(76, 'x');
  while (m.size() + 78 <= o.size) m += line + "\r\n";
  return m;
}

asio::awaitable<void> open_session(Shared& s, Client& c) {
  const auto& o = s.options;
  co_await c.connect(s.endpoint);
  if (o.tls == TlsMode::implicit) co_await c.handshake();
  co_await c.expect('2');
  co_await c.send("EHLO bench.herald\r\n");
  co_await c.expect('2');
  if (o.tls == TlsMode::starttls) {
    co_await c.send("STARTTLS\r\n");
    co_await c.expect('2');
    co_await c.handshake();
    co_await c.send("EHLO bench.herald\r\n");
    co_await c.expect('2');
  }
}

asio::awaitable<void> worker(Shared& s) {
  const auto& o = s.options;
  auto executor = co_await asio::this_coro::executor;
  std::string from = o.from.empty() ? o.user : o.from;
  std::string auth;
  if (!o.user.empty()) {
    std::string plain = std::string(1, '\0') + o.user + std::string(1, '\0') + o.password;
    auth = "AUTH PLAIN " + base::base64_encode(plain) + "\r\n";
  }
  // MAIL, RCPT and DATA go in one write (PIPELINING), as real clients do.
  std::string envelope = fmt::format("MAIL FROM:<{}>\r\nRCPT TO:<{}>\r\nDATA\r\n", from, o.to);
  std::string body = s.message + ".\r\n";
  for (;;) {
    // Claim up to messages_per_session messages for this connection.
    std::size_t left = s.remaining.load(), want = 0;
    do {
      if (left == 0) co_return;
      want = std::min(o.messages_per_session, left);
    } while (!s.remaining.compare_exchange_weak(left, left - want));
    Client c(executor, s.tls);
    std::size_t done = 0;
    try {
      auto t0 = Clock::now();
      co_await open_session(s, c);
      if (!auth.empty()) {
        co_await c.send(auth);
        co_await c.expect('2');
      }
      double setup = ms_since(t0);
      {
        std::lock_guard lock(s.mutex);
        s.setup.push_back(setup);
        ++s.connections;
      }
      for (; done < want; ++done) {
        co_await c.send(envelope);
        co_await c.expect('2');
        co_await c.expect('2');
        co_await c.expect('3');
        co_await c.send(body);
        auto t1 = Clock::now();
        co_await c.expect('2');
        double latency = ms_since(t1);
        std::lock_guard lock(s.mutex);
        s.acceptance.push_back(latency);
        ++s.ok;
      }
      co_await c.send("QUIT\r\n");
      co_await c.expect('2');
    } catch (const SmtpError& e) {
      s.error(e.what());
    } catch (const std::system_error& e) {
      s.error(e.code().message());
    }
    c.close();
    if (done < want) {
      std::lock_guard lock(s.mutex);
      s.failed += want - done;
    }
  }
}

asio::awaitable<void> idle_session(Shared& s, std::shared_ptr<std::atomic<std::size_t>> pending) {
  auto executor = co_await asio::this_coro::executor;
  Client c(executor, s.tls);
  try {
    auto t0 = Clock::now();
    co_await open_session(s, c);
    double setup = ms_since(t0);
    {
      std::lock_guard lock(s.mutex);
      s.setup.push_back(setup);
      ++s.connections;
      ++s.idle_open;
    }
    // Hold until every session is open, then for `hold`.
    asio::steady_timer timer(executor);
    while (pending->load() > 0) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::use_awaitable);
    }
    timer.expires_after(s.options.hold);
    co_await timer.async_wait(asio::use_awaitable);
    co_await c.send("QUIT\r\n");
  } catch (const SmtpError& e) {
    s.error(e.what());
  } catch (const std::system_error& e) {
    s.error(e.code().message());
  }
  c.close();
}

}  // namespace

Percentiles percentiles(std::vector<double>& v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    std::size_t i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}

base::Result<Report> run(const Options& o) {
  asio::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) return base::make_error("--server: '" + o.host + "' is not an IP address");
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);  // a load tool; see the header comment
  Shared s{o, tcp::endpoint(address, o.port), tls, make_message(o), {o.messages}, {}, {}, {}, {}};

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, o.threads); ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  auto pending = std::make_shared<std::atomic<std::size_t>>(o.sessions);
  for (std::size_t i = 0; i < o.sessions; ++i) {
    auto& io = *contexts[i % contexts.size()];
    if (o.idle) {
      asio::co_spawn(
          io, [&s, pending]() -> asio::awaitable<void> { co_await idle_session(s, pending); },
          asio::detached);
    } else {
      asio::co_spawn(io, worker(s), asio::detached);
    }
  }
  std::thread watcher;
  if (o.idle) {
    // Count sessions as "open" when they got through EHLO or failed.
    watcher = std::thread([&] {
      while (true) {
        std::size_t settled;
        {
          std::lock_guard lock(s.mutex);
          std::size_t errors = 0;
          for (auto& [k, n] : s.errors) errors += n;
          settled = s.idle_open + errors;
        }
        if (settled >= o.sessions) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      pending->store(0);
    });
  }
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (auto& io : contexts) threads.emplace_back([&io] { io->run(); });
  for (auto& t : threads) t.join();
  if (watcher.joinable()) watcher.join();
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  Report r;
  r.messages_ok = s.ok;
  r.messages_failed = s.failed;
  r.connections = s.connections;
  r.seconds = seconds;
  r.messages_per_second = seconds > 0 ? static_cast<double>(s.ok) / seconds : 0;
  r.acceptance = percentiles(s.acceptance);
  r.setup = percentiles(s.setup);
  r.errors = s.errors;
  r.idle_open = s.idle_open;
  return r;
}

std::string format_report(const Options& o, const Report& r) {
  std::string out;
  if (o.idle) {
    out += fmt::format("idle sessions held open: {} of {}\n", r.idle_open, o.sessions);
  } else {
    out += fmt::format(
        "messages:   {} ok, {} failed in {:.2f} s ({} sessions, {} per connection, {} bytes)\n",
        r.messages_ok, r.messages_failed, r.seconds, o.sessions, o.messages_per_session, o.size);
    out += fmt::format("throughput: {:.1f} msgs/s\n", r.messages_per_second);
    out += fmt::format("acceptance: p50 {:.2f} ms  p90 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms\n",
                       r.acceptance.p50, r.acceptance.p90, r.acceptance.p99, r.acceptance.max);
  }
  out += fmt::format(
      "setup:      p50 {:.2f} ms  p90 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms ({} connections)\n",
      r.setup.p50, r.setup.p90, r.setup.p99, r.setup.max, r.connections);
  for (const auto& [kind, n] : r.errors) out += fmt::format("error:      {} × {}\n", n, kind);
  return out;
}

std::string report_json(const Options& o, const Report& r) {
  auto pct = [](const Percentiles& p) {
    return nlohmann::json{{"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"max", p.max}};
  };
  nlohmann::json j{{"sessions", o.sessions},
                   {"messages_per_session", o.messages_per_session},
                   {"size", o.size},
                   {"messages_ok", r.messages_ok},
                   {"messages_failed", r.messages_failed},
                   {"connections", r.connections},
                   {"seconds", r.seconds},
                   {"msgs_per_s", r.messages_per_second},
                   {"acceptance_ms", pct(r.acceptance)},
                   {"setup_ms", pct(r.setup)},
                   {"errors", r.errors},
                   {"idle_open", r.idle_open}};
  return j.dump();
}

}  // namespace herald::bench
