// delivery::tls_policy_ssl — applies a TlsRequirement to an outbound
// OpenSSL connection (context, SNI, PKIX or DANE) and judges the result
// after the handshake. It does not connect or speak SMTP.
#pragma once

#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"
#include "herald/delivery/dane.hpp"
#include "herald/delivery/tls_policy.hpp"
#include "herald/delivery/tls_report.hpp"

namespace herald::delivery {

// The client context for MX hosts and smarthosts: TLS 1.2+, the system CA
// store plus `ca_file` ([delivery] ca_file; empty: none), DANE enabled.
// Verification itself is set per connection by configure_client_ssl.
base::Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const std::string& ca_file);

// Before the handshake (fits net::SmtpStream::client_handshake's
// configure): SNI = mx_host always; dane → apply_dane; pkix → the name
// must be mx_host (one-label wildcards only), SSL_VERIFY_PEER when
// enforced, else the result is only read afterwards; none → no checks.
base::Result<void> configure_client_ssl(SSL* ssl, const TlsRequirement& requirement,
                                        const DaneDecision& dane, std::string_view mx_host);

struct TlsCheck {
  bool acceptable = true;                // false: the session must not carry mail
  std::optional<TlsResultType> failure;  // for TLS-RPT, also when still acceptable (testing)
  std::string detail;
};

// After a completed (or failed) handshake configured as above.
TlsCheck check_client_ssl(SSL* ssl, const TlsRequirement& requirement);

}  // namespace herald::delivery
