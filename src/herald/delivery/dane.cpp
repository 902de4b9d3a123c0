// delivery::dane — RFC 7672 decisions, and OpenSSL's DANE API (1.1.0+)
// doing the certificate matching: no hand-written TLSA matcher.
#include "herald/delivery/dane.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <mutex>
#include <string>

#include "herald/net/tls_context.hpp"

namespace herald::delivery {
namespace {

using net::openssl_error;

DaneDecision decision(DaneState state, std::string reason) {
  DaneDecision d;
  d.state = state;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

std::string_view to_string(DaneState state) {
  switch (state) {
    case DaneState::not_applicable:
      return "not-applicable";
    case DaneState::authenticate:
      return "authenticate";
    case DaneState::encrypt_only:
      return "encrypt-only";
    case DaneState::unusable_host:
      return "unusable-host";
  }
  return "not-applicable";
}

std::string tlsa_name(std::string_view mx_host, std::uint16_t port) {
  return fmt::format("_{}._tcp.{}", port, dns::normalize_name(mx_host));
}

bool usable_tlsa(const dns::Tlsa& r) {
  if (r.usage != 2 && r.usage != 3) return false;  // PKIX-TA/PKIX-EE: not for SMTP
  if (r.selector > 1) return false;
  switch (r.matching_type) {
    case 0:
      return !r.data.empty();
    case 1:
      return r.data.size() == 32;  // SHA2-256
    case 2:
      return r.data.size() == 64;  // SHA2-512
    default:
      return false;
  }
}

DaneDecision decide_dane(const dns::Answer& tlsa, bool addresses_secure) {
  if (!addresses_secure) {
    return decision(DaneState::not_applicable, "the host's addresses are not DNSSEC-validated");
  }
  switch (tlsa.status) {
    case dns::Status::bogus:
      return decision(DaneState::unusable_host,
                      fmt::format("the TLSA answer failed DNSSEC validation{}{}",
                                  tlsa.reason.empty() ? "" : ": ", tlsa.reason));
    case dns::Status::temporary_failure:
      // Secure addresses but no TLSA answer: records may exist and be
      // withheld by an attacker, so the host cannot be used in the clear.
      return decision(
          DaneState::unusable_host,
          fmt::format("the TLSA lookup failed{}{}", tlsa.reason.empty() ? "" : ": ", tlsa.reason));
    case dns::Status::nxdomain:
    case dns::Status::nodata:
      return decision(DaneState::not_applicable, "no TLSA records");
    case dns::Status::ok:
      break;
  }
  if (!tlsa.secure) return decision(DaneState::not_applicable, "the TLSA records are insecure");
  DaneDecision d;
  for (const auto& r : tlsa.tlsa) {
    if (usable_tlsa(r)) d.records.push_back(r);
  }
  if (d.records.empty()) {
    d.state = DaneState::encrypt_only;
    d.reason = fmt::format("none of the {} TLSA records is usable for SMTP", tlsa.tlsa.size());
    return d;
  }
  d.state = DaneState::authenticate;
  d.reason = fmt::format("{} usable TLSA record(s)", d.records.size());
  return d;
}

base::Result<void> apply_dane(SSL_CTX* ctx, SSL* ssl, const DaneDecision& d,
                              std::string_view mx_host) {
  if (d.state != DaneState::authenticate) {
    return base::make_error("DANE does not authenticate this host (" +
                            std::string(to_string(d.state)) + ")");
  }
  {
    // SSL_CTX_dane_enable is idempotent but not safe to race on a shared
    // context; the lock makes "once per context" hold from any thread.
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    if (SSL_CTX_dane_enable(ctx) <= 0) {
      return base::make_error("cannot enable DANE on the TLS context: " + openssl_error());
    }
  }
  const std::string host = dns::normalize_name(mx_host);
  // The reference name for DANE-TA name checks; without SNI set already,
  // OpenSSL does not add it, so set it explicitly (RFC 7672 §8.1).
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return base::make_error("cannot set SNI " + host + ": " + openssl_error());
  }
  if (SSL_dane_enable(ssl, host.c_str()) <= 0) {
    return base::make_error("cannot enable DANE for " + host + ": " + openssl_error());
  }
  // DANE-EE binds the key itself: names in the certificate do not matter.
  SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
  // DANE-TA: "*.example.net" may stand for one label only.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  int added = 0;
  std::string last_error;
  for (const auto& r : d.records) {
    const int rc =
        SSL_dane_tlsa_add(ssl, r.usage, r.selector, r.matching_type, r.data.data(), r.data.size());
    if (rc > 0) {
      ++added;
    } else if (rc < 0) {
      last_error = openssl_error();
    }
  }
  if (added == 0) {
    return base::make_error(fmt::format("none of the TLSA records for {} could be loaded{}{}", host,
                                        last_error.empty() ? "" : ": ", last_error));
  }
  SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  return {};
}

DaneVerification dane_verified(SSL* ssl) {
  DaneVerification v;
  v.verify_result = SSL_get_verify_result(ssl);
  uint8_t usage = 0, selector = 0, mtype = 0;
  const int depth = SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, nullptr, nullptr);
  if (v.verify_result == X509_V_OK && depth >= 0 &&
      SSL_get0_dane_authority(ssl, nullptr, nullptr) >= 0) {
    v.verified = true;
    v.depth = depth;
    v.detail = fmt::format("matched TLSA {} {} {} at depth {}", usage, selector, mtype, depth);
    return v;
  }
  v.detail = v.verify_result == X509_V_OK
                 ? std::string("no TLSA record matched")
                 : std::string(X509_verify_cert_error_string(v.verify_result));
  return v;
}

}  // namespace herald::delivery
