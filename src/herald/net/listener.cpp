#include "herald/net/listener.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "herald/base/log.hpp"

namespace herald::net {

Listener::Listener(IoPool& pool, Handler handler)
    : pool_(pool), handler_(std::move(handler)), acceptor_(pool.first()) {}

base::Result<std::unique_ptr<Listener>> Listener::open(IoPool& pool, const std::string& host,
                                                       std::uint16_t port, Handler handler) {
  std::unique_ptr<Listener> l(new Listener(pool, std::move(handler)));
  asio::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return base::make_error("'" + host + "' is not an IP address");
  asio::ip::tcp::endpoint endpoint(address, port);
  std::string where = endpoint.address().is_v6() ? "[" + host + "]:" + std::to_string(port)
                                                 : host + ":" + std::to_string(port);
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6()) l->acceptor_.set_option(asio::ip::v6_only(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return base::make_error("cannot listen on " + where + ": " + ec.message());
  return l;
}

void Listener::start() {
  asio::co_spawn(
      acceptor_.get_executor(),
      [this]() -> asio::awaitable<void> {
        asio::steady_timer backoff(acceptor_.get_executor());
        while (acceptor_.is_open()) {
          asio::error_code ec;
          auto socket = co_await acceptor_.async_accept(
              pool_.next(), asio::redirect_error(asio::use_awaitable, ec));
          if (ec == asio::error::operation_aborted) break;
          if (ec) {
            // EMFILE and friends: log and back off rather than spin.
            base::log_warn("accept_failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
          }
          socket.set_option(asio::ip::tcp::no_delay(true), ec);
          handler_(std::move(socket));
        }
      },
      asio::detached);
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [this] {
    asio::error_code ec;
    acceptor_.close(ec);
  });
}

}  // namespace herald::net
