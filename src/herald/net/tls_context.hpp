// net::TlsContext — the server's OpenSSL context, swapped atomically on
// reload (SIGHUP) so new handshakes use the new certificate while sessions
// already running keep the context they started with.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "herald/base/result.hpp"

namespace herald::net {

struct TlsSettings {
  std::string certificate;  // PEM chain
  std::string private_key;  // PEM
  std::string min_version = "1.2";
};

class TlsContext {
 public:
  // Loads the certificate and key; an error names the file and the reason.
  static base::Result<std::shared_ptr<TlsContext>> create(TlsSettings settings);

  // Re-reads the files; on error the old context stays in use.
  base::Result<void> reload();

  std::shared_ptr<asio::ssl::context> current() const;

 private:
  explicit TlsContext(TlsSettings settings) : settings_(std::move(settings)) {}
  static base::Result<std::shared_ptr<asio::ssl::context>> build(const TlsSettings& settings);

  TlsSettings settings_;
  mutable std::mutex mutex_;
  std::shared_ptr<asio::ssl::context> context_;
};

// When the first certificate of a PEM file stops being valid (Unix
// seconds), for the expiry gauge; an error when it cannot be read.
base::Result<std::int64_t> certificate_not_after(const std::string& pem_path);

// The oldest queued OpenSSL error as text (the queue is then cleared).
std::string openssl_error();

// Human-readable version and cipher of an established TLS session.
std::string tls_version(SSL* ssl);
std::string tls_cipher(SSL* ssl);

}  // namespace herald::net
