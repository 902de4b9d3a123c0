// net::SmtpStream — a TCP connection that starts plain or as implicit TLS
// and can be upgraded once with STARTTLS. Reads and writes go to whichever
// layer is active; deadlines are enforced by the owner cancelling it.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace herald::net {

class SmtpStream {
 public:
  SmtpStream(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls);

  asio::awaitable<std::size_t> read_some(char* data, std::size_t size);
  asio::awaitable<void> write(std::string_view bytes);
  // Server-side handshake; afterwards reads and writes are encrypted.
  asio::awaitable<void> handshake();
  asio::awaitable<void> shutdown_tls();

  bool tls_active() const { return tls_active_; }
  bool tls_available() const { return tls_context_ != nullptr; }
  SSL* native_ssl() { return stream_ ? stream_->native_handle() : nullptr; }
  asio::ip::tcp::socket& socket();
  void cancel();  // aborts pending operations (deadline passed)
  void close();

 private:
  std::shared_ptr<asio::ssl::context> tls_context_;  // kept alive for this session
  asio::ip::tcp::socket plain_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> stream_;
  bool tls_active_ = false;
};

}  // namespace herald::net
