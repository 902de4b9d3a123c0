#include "herald/net/smtp_stream.hpp"

#include <asio/buffer.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace herald::net {

SmtpStream::SmtpStream(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls)
    : tls_context_(std::move(tls)), plain_(std::move(socket)) {}

asio::ip::tcp::socket& SmtpStream::socket() {
  return plain_;
}

asio::awaitable<std::size_t> SmtpStream::read_some(char* data, std::size_t size) {
  if (tls_active_) {
    co_return co_await stream_->async_read_some(asio::buffer(data, size), asio::use_awaitable);
  }
  co_return co_await plain_.async_read_some(asio::buffer(data, size), asio::use_awaitable);
}

asio::awaitable<void> SmtpStream::write(std::string_view bytes) {
  if (tls_active_) {
    co_await asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()),
                               asio::use_awaitable);
  } else {
    co_await asio::async_write(plain_, asio::buffer(bytes.data(), bytes.size()),
                               asio::use_awaitable);
  }
}

asio::awaitable<void> SmtpStream::handshake() {
  stream_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(plain_, *tls_context_);
  co_await stream_->async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
  tls_active_ = true;
}

asio::awaitable<void> SmtpStream::shutdown_tls() {
  if (tls_active_) {
    asio::error_code ec;
    // close_notify is a courtesy; a client that vanished must not stall us.
    co_await stream_->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void SmtpStream::cancel() {
  asio::error_code ec;
  plain_.cancel(ec);
}

void SmtpStream::close() {
  asio::error_code ec;
  plain_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  plain_.close(ec);
}

}  // namespace herald::net
