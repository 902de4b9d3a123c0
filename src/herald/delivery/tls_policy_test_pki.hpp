// delivery tests: a throwaway PKI made with the OpenSSL API (a CA, server
// certificates, digests for TLSA records), temp directories, and a TLS
// handshake over a socketpair. Test-only; nothing here is in herald_delivery.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace herald::delivery::test {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using SslCtx = std::unique_ptr<SSL_CTX, SslCtxFree>;
using Ssl = std::unique_ptr<SSL, SslFree>;

// A peer that closed first must give EPIPE, not kill the test binary
// (herald serve ignores SIGPIPE the same way).
inline void ignore_sigpipe() {
  static const bool once = (std::signal(SIGPIPE, SIG_IGN), true);
  (void)once;
}

inline Pkey make_key() {
  return Pkey(EVP_EC_gen("P-256"));
}

// A certificate for `name` (CN and DNS SAN), signed by `issuer`/`issuer_key`
// or self-signed when they are null. `ca` adds basicConstraints CA:TRUE.
inline Cert make_cert(const std::string& name, EVP_PKEY* key, X509* issuer = nullptr,
                      EVP_PKEY* issuer_key = nullptr, bool ca = false, long valid_from_days = -1,
                      long valid_to_days = 30) {
  static std::atomic<long> serial{1};
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), valid_from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_to_days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  auto add = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (ca) {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add(NID_basic_constraints, "CA:FALSE");
    add(NID_subject_alt_name, "DNS:" + name);
    add(NID_ext_key_usage, "serverAuth");
  }
  X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

inline std::string pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::vector<std::uint8_t> sha256(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::uint8_t> out(32);
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

// DER of the SubjectPublicKeyInfo (selector 1) or the whole certificate (0).
inline std::vector<std::uint8_t> der(X509* cert, int selector) {
  unsigned char* buf = nullptr;
  const int n = selector == 1 ? i2d_PUBKEY(X509_get0_pubkey(cert), &buf) : i2d_X509(cert, &buf);
  std::vector<std::uint8_t> out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("herald-tls-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A server context presenting `cert` (+ `chain`) with `key`.
inline SslCtx server_ctx(X509* cert, EVP_PKEY* key, X509* chain = nullptr) {
  SslCtx ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_use_certificate(ctx.get(), cert);
  SSL_CTX_use_PrivateKey(ctx.get(), key);
  if (chain != nullptr) SSL_CTX_add1_chain_cert(ctx.get(), chain);
  return ctx;
}

struct ClientSession {
  Ssl ssl;
  bool connected = false;
};

// Handshake between a server on its own thread and a client configured by
// `configure` (which returns false to abort), over a socketpair.
inline ClientSession handshake(SSL_CTX* server, SSL_CTX* client,
                               const std::function<bool(SSL*)>& configure) {
  ignore_sigpipe();
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return {};
  std::thread peer([server, fd = fds[1]] {
    Ssl ssl(SSL_new(server));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) == 1) {
      char byte = 0;
      SSL_read(ssl.get(), &byte, 1);  // until the client closes
    }
    ::close(fd);
  });
  ClientSession session;
  session.ssl.reset(SSL_new(client));
  SSL_set_fd(session.ssl.get(), fds[0]);
  if (configure(session.ssl.get())) session.connected = SSL_connect(session.ssl.get()) == 1;
  ::shutdown(fds[0], SHUT_RDWR);
  peer.join();
  ::close(fds[0]);
  return session;
}

}  // namespace herald::delivery::test
