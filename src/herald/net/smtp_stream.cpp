#include "herald/net/smtp_stream.hpp"

#include <openssl/err.h>

#include <asio/buffer.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <system_error>

namespace herald::net {
namespace {

[[noreturn]] void throw_tls(const char* operation) {
  unsigned long code = ERR_get_error();
  char buf[256] = "connection closed";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  throw std::system_error(std::make_error_code(std::errc::protocol_error),
                          std::string("TLS ") + operation + ": " + buf);
}

}  // namespace

SmtpStream::SmtpStream(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls)
    : tls_context_(std::move(tls)), plain_(std::move(socket)) {}

SmtpStream::~SmtpStream() {
  if (ssl_) SSL_free(ssl_);
}

void SmtpStream::throw_if_cancelled() const {
  if (cancelled_) throw std::system_error(make_error_code(asio::error::timed_out));
}

asio::awaitable<void> SmtpStream::wait_for_ssl(int result, const char* operation) {
  throw_if_cancelled();
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      co_await plain_.async_wait(asio::ip::tcp::socket::wait_read, asio::use_awaitable);
      co_return;
    case SSL_ERROR_WANT_WRITE:
      co_await plain_.async_wait(asio::ip::tcp::socket::wait_write, asio::use_awaitable);
      co_return;
    default:
      throw_tls(operation);
  }
}

asio::awaitable<std::size_t> SmtpStream::read_some(char* data, std::size_t size) {
  throw_if_cancelled();
  if (!tls_active_) {
    asio::error_code ec;
    std::size_t n = co_await plain_.async_read_some(asio::buffer(data, size),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::eof) co_return 0;
    if (ec) throw std::system_error(ec);
    co_return n;
  }
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
    if (n > 0) co_return static_cast<std::size_t>(n);
    int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_ZERO_RETURN) co_return 0;                       // close_notify
    if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) co_return 0;  // EOF without it
    co_await wait_for_ssl(n, "read");
  }
}

asio::awaitable<void> SmtpStream::write(std::string_view bytes) {
  throw_if_cancelled();
  if (!tls_active_) {
    co_await asio::async_write(plain_, asio::buffer(bytes.data(), bytes.size()),
                               asio::use_awaitable);
    co_return;
  }
  while (!bytes.empty()) {
    ERR_clear_error();
    // A retried SSL_write gets the same pointer and length, as OpenSSL needs.
    int n = SSL_write(ssl_, bytes.data(),
                      static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 30)));
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    co_await wait_for_ssl(n, "write");
  }
}

asio::awaitable<void> SmtpStream::wait_readable() {
  throw_if_cancelled();
  if (tls_active_ && SSL_has_pending(ssl_) == 1) co_return;
  co_await plain_.async_wait(asio::ip::tcp::socket::wait_read, asio::use_awaitable);
}

asio::awaitable<void> SmtpStream::handshake() {
  return run_handshake(false);
}

asio::awaitable<void> SmtpStream::client_handshake() {
  return run_handshake(true);
}

asio::awaitable<void> SmtpStream::run_handshake(bool client) {
  throw_if_cancelled();
  if (!tls_context_) throw std::system_error(std::make_error_code(std::errc::not_supported));
  plain_.non_blocking(true);
  ssl_ = SSL_new(tls_context_->native_handle());
  if (!ssl_ || SSL_set_fd(ssl_, static_cast<int>(plain_.native_handle())) != 1) {
    throw_tls("setup");
  }
  if (client) {
    SSL_set_connect_state(ssl_);
    if (configure_ && !configure_(ssl_)) throw_tls("client setup");
  } else {
    SSL_set_accept_state(ssl_);
  }
  for (;;) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) break;
    co_await wait_for_ssl(r, "handshake");
  }
  tls_active_ = true;
}

void SmtpStream::cancel() {
  cancelled_ = true;
  asio::error_code ec;
  plain_.cancel(ec);
}

void SmtpStream::close() {
  asio::error_code ec;
  if (tls_active_) {
    // close_notify is a courtesy; one non-blocking attempt, no waiting.
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }
  plain_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  plain_.close(ec);
}

}  // namespace herald::net
