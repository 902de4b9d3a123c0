// delivery::dane — SMTP DANE (RFC 7672) for one MX host: whether TLSA
// records apply, and their use through OpenSSL's built-in DANE verifier.
// It does no DNS lookups and opens no connections; the glue does both.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/dns/record.hpp"

namespace herald::delivery {

enum class DaneState {
  // No DANE for this host: insecure or missing TLSA records, or the host's
  // addresses were not DNSSEC-validated. Other policies decide.
  not_applicable,
  // Usable DNSSEC-validated records: TLS required, the certificate must
  // match one of `records`.
  authenticate,
  // Validated records, none usable (PKIX-TA/EE usages, unknown selectors or
  // matching types, bad digest lengths): TLS is required, but there is
  // nothing to authenticate against (RFC 7672 §2.2).
  encrypt_only,
  // The TLSA lookup was bogus or failed (SERVFAIL, timeout) for a host with
  // secure addresses: an attacker may be hiding records, so this host must
  // not be used now (RFC 7672 §2.2: temporary failure).
  unusable_host,
};
std::string_view to_string(DaneState state);

struct DaneDecision {
  DaneState state = DaneState::not_applicable;
  std::vector<dns::Tlsa> records;  // the usable ones, when state is authenticate
  std::string reason;              // for logs and TLS-RPT additional information

  bool applies() const { return state != DaneState::not_applicable; }
  bool tls_required() const {
    return state == DaneState::authenticate || state == DaneState::encrypt_only;
  }
};

// "_25._tcp.mx.example.net": where the TLSA records of an MX host live.
std::string tlsa_name(std::string_view mx_host, std::uint16_t port = 25);

// Usage 2 (DANE-TA) or 3 (DANE-EE), selector 0/1, matching type 0/1/2 with
// a digest of the right length (RFC 7672 §3.1.3 makes 0/1 unusable).
bool usable_tlsa(const dns::Tlsa& record);

// `addresses_secure`: the MX host's A/AAAA answers were DNSSEC-validated
// (dns::MxTarget::secure); without that the TLSA answer is not consulted
// (RFC 7672 §2.2.2). Pass `mx_secure && target.secure` (both from
// dns::MxResolution) to use DANE only when the MX RRset is validated too,
// as Postfix does: an insecure MX could name any host (RFC 7672 §2.2.1).
DaneDecision decide_dane(const dns::Answer& tlsa, bool addresses_secure);

// Turns on DANE verification for one outbound connection, before its
// handshake: SSL_CTX_dane_enable (once per context), SSL_dane_enable with
// `mx_host` as the reference name (also sent as SNI), no name checks for
// DANE-EE (RFC 7672 §3.1.1), every record added, SSL_VERIFY_PEER so that a
// mismatch fails the handshake. Only for state authenticate; an error
// means no record could be loaded (treat the host as unusable).
base::Result<void> apply_dane(SSL_CTX* ctx, SSL* ssl, const DaneDecision& decision,
                              std::string_view mx_host);

struct DaneVerification {
  bool verified = false;
  long verify_result = 0;  // X509_V_* from SSL_get_verify_result
  int depth = -1;          // chain depth of the matching certificate, when verified
  std::string detail;      // why not, for logs
};

// After the handshake (or after it failed): did a TLSA record match?
DaneVerification dane_verified(SSL* ssl);

}  // namespace herald::delivery
