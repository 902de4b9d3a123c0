// delivery::tls_policy_ssl — the OpenSSL side of the outbound TLS policy.
// PKIX name checks use OpenSSL's own X509_check_host via SSL_set1_host.
#include "herald/delivery/tls_policy_ssl.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "herald/net/tls_context.hpp"

namespace herald::delivery {
namespace {

using net::openssl_error;

}  // namespace

base::Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const std::string& ca_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_default_verify_paths(native) != 1) {
    return base::make_error("cannot load the system CA store: " + openssl_error());
  }
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(native, ca_file.c_str(), nullptr) != 1) {
    return base::make_error(fmt::format("cannot load the CA file {} ([delivery] ca_file): {}",
                                        ca_file, openssl_error()));
  }
  if (SSL_CTX_dane_enable(native) <= 0) {
    return base::make_error("cannot enable DANE: " + openssl_error());
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  return ctx;
}

base::Result<void> configure_client_ssl(SSL* ssl, const TlsRequirement& req,
                                        const DaneDecision& dane, std::string_view mx_host) {
  const std::string host = dns::normalize_name(mx_host);
  if (req.verify == Verify::dane) return apply_dane(SSL_get_SSL_CTX(ssl), ssl, dane, host);
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return base::make_error("cannot set SNI " + host + ": " + openssl_error());
  }
  if (req.verify == Verify::pkix) {
    // RFC 8461 §4.1: the certificate must name the MX host; a wildcard
    // covers exactly one leftmost label.
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, host.c_str()) != 1) {
      return base::make_error("cannot set the name to verify " + host + ": " + openssl_error());
    }
    SSL_set_verify(ssl, req.verify_enforced ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
  }
  return {};
}

TlsCheck check_client_ssl(SSL* ssl, const TlsRequirement& req) {
  TlsCheck check;
  if (req.verify == Verify::none) return check;
  if (req.verify == Verify::dane) {
    const DaneVerification v = dane_verified(ssl);
    if (!v.verified) {
      check.acceptable = false;
      check.failure = classify_verify_result(
          v.verify_result == X509_V_OK ? X509_V_ERR_DANE_NO_MATCH : v.verify_result, true);
    }
    check.detail = v.detail;
    return check;
  }
  // After a handshake aborted by verification the peer certificate may be
  // gone, but the verify result says why; X509_V_OK without a certificate
  // means verification never ran (no handshake).
  const long result = SSL_get_verify_result(ssl);
  const bool have_peer = SSL_get0_peer_certificate(ssl) != nullptr;
  if (result == X509_V_OK && have_peer) {
    check.detail = "certificate verified";
    return check;
  }
  check.failure = result == X509_V_OK ? TlsResultType::validation_failure
                                      : classify_verify_result(result, false);
  check.acceptable = !req.verify_enforced;
  check.detail =
      result == X509_V_OK ? "no certificate was verified" : X509_verify_cert_error_string(result);
  return check;
}

}  // namespace herald::delivery
