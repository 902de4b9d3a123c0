#include "herald/delivery/outbound_session.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "herald/net/smtp_stream.hpp"
#include "herald/net/tls_context.hpp"
#include "herald/net/watchdog.hpp"
#include "herald/smtp/dot_stuffer.hpp"
#include "herald/spool/message_file.hpp"

namespace herald::delivery {
namespace {

// One timer per connection that cancels the socket when the current
// operation's deadline passes (the pattern of submission::Session).
std::chrono::seconds bounded(std::chrono::seconds t, const OutboundOptions& o) {
  return o.max_wait.count() > 0 ? std::min(t, o.max_wait) : t;
}

smtp::Outcome local_failure(int code, std::string enhanced, std::string text, smtp::Stage stage) {
  smtp::Outcome o;
  o.reply = {code, std::move(enhanced), std::move(text)};
  o.remote = false;
  o.permanent = code >= 500;
  o.stage = stage;
  return o;
}

smtp::ClientTransaction transaction_for(const OutboundMessage& m, std::uint64_t size) {
  const spool::Envelope& e = *m.envelope;
  smtp::ClientTransaction tx;
  tx.sender = e.mail_from;
  for (auto i : m.recipients) {
    const auto& r = e.recipients[i];
    tx.recipients.push_back({r.address, r.notify, r.orcpt});
  }
  tx.size = size;
  tx.eight_bit = e.body_type != "7BIT";
  tx.smtputf8 = e.smtputf8;
  tx.ret = e.dsn_ret;
  tx.envid = e.dsn_envid;
  return tx;
}

// A queued message holding a NUL octet: its recipients (those the server
// had not refused already) fail permanently, and the connection closes
// with the message unfinished.
OutboundResult nul_refused(OutboundResult& result, const smtp::ClientProtocol& protocol,
                           std::size_t index, const OutboundMessage& m, const std::string& host,
                           net::SmtpStream& stream) {
  auto per_rcpt = protocol.results();
  per_rcpt.resize(m.recipients.size());
  for (auto& r : per_rcpt) {
    if (r.status == smtp::RecipientStatus::permanent ||
        r.status == smtp::RecipientStatus::temporary) {
      continue;
    }
    r.status = smtp::RecipientStatus::permanent;
    r.outcome = local_failure(554, "5.6.0",
                              "the queued message contains a NUL octet, which no mail text may "
                              "hold (RFC 5321 4.5.2); it was not sent",
                              smtp::Stage::local);
  }
  result.results[index] = std::move(per_rcpt);
  result.session_failure = local_failure(
      421, "4.4.2", "connection to " + host + " closed to abandon a message holding a NUL octet",
      smtp::Stage::data);
  stream.close();
  return std::move(result);
}

}  // namespace

asio::awaitable<OutboundResult> deliver_messages(const OutboundTarget& target,
                                                 const std::vector<OutboundMessage>& messages,
                                                 const OutboundOptions& options) {
  OutboundResult result;
  result.results.resize(messages.size());
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  // What a passed deadline cancels: the socket while connecting, then the
  // stream that owns it. Declared before the watchdog's stopper, so it
  // outlives every call.
  std::function<void()> expire = [&socket] {
    asio::error_code ec;
    socket.cancel(ec);
  };
  auto watchdog = net::Watchdog::start(executor, [&expire] { expire(); });
  struct StopWatchdog {
    std::shared_ptr<net::Watchdog> w;
    ~StopWatchdog() { w->stop(); }
  } stop_watchdog{watchdog};

  // Connect.
  watchdog->arm(options.connect_timeout);
  asio::error_code ec;
  co_await socket.async_connect({target.address, target.port},
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    result.session_failure =
        local_failure(421, "4.4.1",
                      "cannot connect to " + target.host + " [" + target.address.to_string() +
                          "]:" + std::to_string(target.port) + ": " +
                          (watchdog->fired() ? "timed out" : ec.message()),
                      smtp::Stage::connect);
    co_return result;
  }
  result.connected = true;
  net::SmtpStream stream(std::move(socket), target.tls_context);
  expire = [&stream] { stream.cancel(); };
  if (target.configure_tls) stream.set_client_tls(target.configure_tls);

  smtp::ClientConfig config;
  config.helo_name = options.helo_name;
  config.tls = target.tls;
  config.tls_active = target.implicit_tls;
  config.credentials = target.credentials;
  smtp::ClientProtocol protocol(config);

  std::size_t next = 0;
  std::optional<std::size_t> current;
  std::vector<std::uint64_t> sizes(messages.size(), 0);
  auto start_next = [&]() {
    current.reset();
    while (next < messages.size()) {
      const std::size_t i = next++;
      sizes[i] = messages[i].envelope->prepend_headers.size() + messages[i].envelope->size;
      if (auto started = protocol.start_transaction(transaction_for(messages[i], sizes[i]));
          started.ok()) {
        current = i;
        return;
      } else {
        smtp::RecipientResult bad;
        bad.status = smtp::RecipientStatus::permanent;
        bad.outcome = local_failure(553, "5.1.7", started.error().message, smtp::Stage::local);
        result.results[i].assign(messages[i].recipients.size(), bad);
      }
    }
    protocol.quit();
  };

  auto flush = [&]() -> asio::awaitable<void> {
    if (!protocol.has_output()) co_return;
    std::string out = protocol.take_output();
    watchdog->arm(bounded(std::chrono::seconds{300}, options));
    co_await stream.write(out);
  };

  try {
    if (target.implicit_tls) {
      watchdog->arm(bounded(std::chrono::seconds{60}, options));
      co_await stream.client_handshake();
      result.tls =
          net::tls_version(stream.native_ssl()) + " " + net::tls_cipher(stream.native_ssl());
    }
    start_next();
    std::vector<char> buffer(16 * 1024);
    for (;;) {
      smtp::ClientEvent event = protocol.next();
      switch (event.kind) {
        case smtp::ClientEventKind::need_input: {
          co_await flush();
          watchdog->arm(bounded(protocol.current_timeout(), options));
          std::size_t n = 0;
          std::string lost;
          try {
            n = co_await stream.read_some(buffer.data(), buffer.size());
            if (n == 0) lost = "the server closed the connection";
          } catch (const std::system_error& e) {
            lost = watchdog->fired() ? "timed out waiting for the server" : e.what();
          }
          if (!lost.empty()) {
            protocol.connection_lost(lost);
          } else {
            protocol.receive(std::string_view(buffer.data(), n));
          }
          break;
        }
        case smtp::ClientEventKind::start_tls: {
          co_await flush();
          watchdog->arm(bounded(std::chrono::seconds{60}, options));
          try {
            co_await stream.client_handshake();
            result.tls =
                net::tls_version(stream.native_ssl()) + " " + net::tls_cipher(stream.native_ssl());
            protocol.tls_started();
          } catch (const std::system_error& e) {
            protocol.connection_lost(std::string("TLS handshake with ") + target.host +
                                     " failed: " + e.what());
          }
          break;
        }
        case smtp::ClientEventKind::send_body: {
          co_await flush();
          const OutboundMessage& m = messages[*current];
          smtp::DotStuffer stuffer;
          std::string out;
          stuffer.feed(m.envelope->prepend_headers, out);
          // Reads of at most 64 KiB from the page cache: short enough to
          // do on the delivery thread, which serves no client sessions.
          // BodyReader stops at the body's end: the spool's own record of
          // the message follows it in the file.
          spool::BodyReader body(m.body_path, m.envelope->size);
          if (!body.ok()) throw std::runtime_error(body.error());
          std::vector<char> chunk(64 * 1024);
          while (!stuffer.saw_nul()) {
            const std::size_t n = body.read(chunk.data(), chunk.size());
            if (n == 0) break;
            stuffer.feed(std::string_view(chunk.data(), n), out);
            if (out.size() >= 64 * 1024 && !stuffer.saw_nul()) {
              watchdog->arm(bounded(protocol.current_timeout(), options));
              co_await stream.write(out);
              out.clear();
            }
          }
          if (stuffer.saw_nul()) {
            // Only a spool file of an older version can hold a NUL (the
            // submission server refuses them). The stuffer left it out,
            // but the message must not go at all: its DKIM signature and
            // the sender checks were made on other content. The message
            // is not ended, so the receiver drops what it got.
            co_return nul_refused(result, protocol, *current, m, target.host, stream);
          }
          // A short or unreadable file must not end in "." (a truncated
          // message delivered as whole): dropping the connection instead
          // leaves the transaction unfinished, to be retried.
          if (!body.ok()) throw std::runtime_error(body.error());
          stuffer.finish(out);
          watchdog->arm(bounded(protocol.current_timeout(), options));
          co_await stream.write(out);
          protocol.body_sent();
          break;
        }
        case smtp::ClientEventKind::transaction_done:
        case smtp::ClientEventKind::idle:
          if (current) result.results[*current] = protocol.results();
          start_next();
          break;
        case smtp::ClientEventKind::closed:
        case smtp::ClientEventKind::failed: {
          if (event.kind == smtp::ClientEventKind::failed) {
            result.session_failure = event.outcome;
            if (current) result.results[*current] = protocol.results();
          }
          try {
            watchdog->arm(std::chrono::seconds{10});
            co_await flush();
          } catch (...) {
          }
          stream.close();
          co_return result;
        }
      }
    }
  } catch (const std::exception& e) {
    // A write failed or timed out: what was in flight is unknown.
    protocol.connection_lost(watchdog->fired() ? "timed out" : e.what());
    if (current) result.results[*current] = protocol.results();
    result.session_failure = local_failure(421, "4.4.2",
                                           std::string("connection to ") + target.host + " lost: " +
                                               (watchdog->fired() ? "timed out" : e.what()),
                                           smtp::Stage::connect);
  }
  stream.close();
  co_return result;
}

}  // namespace herald::delivery
