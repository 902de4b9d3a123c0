#include "herald/net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <fstream>

namespace herald::net {
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

namespace {

bool readable(const std::string& path) {
  std::ifstream f(path);
  return f.good();
}

}  // namespace

base::Result<std::shared_ptr<asio::ssl::context>> TlsContext::build(const TlsSettings& s) {
  if (!readable(s.certificate)) {
    return base::make_error("cannot read TLS certificate " + s.certificate +
                            "; check [tls] certificate and the file's permissions");
  }
  if (!readable(s.private_key)) {
    return base::make_error("cannot read TLS private key " + s.private_key +
                            "; check [tls] private_key and the file's permissions");
  }
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  int min = s.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(native, min);
  // No compression (CRIME), no renegotiation, server cipher preference;
  // TLS 1.2 limited to AEAD suites with forward secrecy.
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(native,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  // Idle sessions give their TLS record buffers back (~34 KiB each).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Session tickets let reconnecting applications skip the full handshake.
  // Stateless tickets only: no server-side session store that grows with
  // closed connections, and one TLS 1.3 ticket instead of OpenSSL's two.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_set_num_tickets(native, 1);
  if (SSL_CTX_use_certificate_chain_file(native, s.certificate.c_str()) != 1) {
    return base::make_error("cannot load TLS certificate " + s.certificate + ": " +
                            openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(native, s.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return base::make_error("cannot load TLS private key " + s.private_key + ": " +
                            openssl_error());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return base::make_error("TLS private key " + s.private_key + " does not match certificate " +
                            s.certificate);
  }
  return ctx;
}

base::Result<std::shared_ptr<TlsContext>> TlsContext::create(TlsSettings settings) {
  auto holder = std::shared_ptr<TlsContext>(new TlsContext(std::move(settings)));
  auto built = build(holder->settings_);
  if (!built) return built.error();
  holder->context_ = std::move(*built);
  return holder;
}

base::Result<void> TlsContext::reload() {
  auto built = build(settings_);
  if (!built) return built.error();
  std::lock_guard lock(mutex_);
  context_ = std::move(*built);
  return {};
}

std::shared_ptr<asio::ssl::context> TlsContext::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::string tls_version(SSL* ssl) {
  return SSL_get_version(ssl);
}

std::string tls_cipher(SSL* ssl) {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  return c ? SSL_CIPHER_get_name(c) : "none";
}

base::Result<std::int64_t> certificate_not_after(const std::string& pem_path) {
  BIO* bio = BIO_new_file(pem_path.c_str(), "r");
  if (bio == nullptr) return base::make_error("cannot read certificate " + pem_path);
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return base::make_error("no certificate in " + pem_path);
  std::tm tm{};
  const int ok = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm);
  X509_free(cert);
  if (ok != 1) return base::make_error("unreadable notAfter in " + pem_path);
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace herald::net
