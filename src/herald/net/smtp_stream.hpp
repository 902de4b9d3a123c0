// net::SmtpStream — a TCP connection that starts plain or as implicit TLS
// and can be upgraded once with STARTTLS. TLS runs OpenSSL directly on the
// non-blocking socket (no intermediate buffers: an idle session holds only
// what OpenSSL keeps, which SSL_MODE_RELEASE_BUFFERS frees). Deadlines are
// enforced by the owner calling cancel() (from a net::Watchdog).
#pragma once

#include <openssl/ssl.h>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace herald::net {

class SmtpStream {
 public:
  SmtpStream(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls);
  ~SmtpStream();
  SmtpStream(const SmtpStream&) = delete;
  SmtpStream& operator=(const SmtpStream&) = delete;

  // Returns 0 when the peer closed the connection.
  asio::awaitable<std::size_t> read_some(char* data, std::size_t size);
  asio::awaitable<void> write(std::string_view bytes);
  // Completes when read_some would not block (bytes on the socket, or
  // already inside OpenSSL).
  asio::awaitable<void> wait_readable();
  // Server-side handshake; afterwards reads and writes are encrypted.
  asio::awaitable<void> handshake();
  // Client-side handshake (outbound delivery). The function given to
  // set_client_tls (kept as a member: GCC 12 mishandles class-type coroutine
  // parameters) sets SNI, verification and DANE on the new SSL first;
  // returning false aborts. Verification failures surface as a thrown error.
  void set_client_tls(std::function<bool(SSL*)> configure) { configure_ = std::move(configure); }
  asio::awaitable<void> client_handshake();

  bool tls_active() const { return tls_active_; }
  bool tls_available() const { return tls_context_ != nullptr; }
  SSL* native_ssl() { return ssl_; }
  asio::ip::tcp::socket& socket() { return plain_; }
  // The deadline passed: aborts the pending operation, and every one
  // started later fails with timed_out until resume(). Sticky because the
  // deadline may pass just as an operation completes, with nothing pending
  // to abort; the next one must not then wait unbounded.
  void cancel();
  // Allows operations again (a last reply under a fresh deadline).
  void resume() { cancelled_ = false; }
  void close();

 private:
  asio::awaitable<void> run_handshake(bool client);
  // Waits for what OpenSSL asked for after `result`; throws on real errors.
  asio::awaitable<void> wait_for_ssl(int result, const char* operation);
  void throw_if_cancelled() const;

  std::shared_ptr<asio::ssl::context> tls_context_;  // kept alive for this session
  asio::ip::tcp::socket plain_;
  SSL* ssl_ = nullptr;
  bool tls_active_ = false;
  bool cancelled_ = false;
  std::function<bool(SSL*)> configure_;  // client handshakes only
};

}  // namespace herald::net
