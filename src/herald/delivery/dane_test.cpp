// Tests for delivery::dane: the RFC 7672 decision table, and real TLS
// handshakes over a socketpair verified by OpenSSL's DANE code.
#include "herald/delivery/dane.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "herald/delivery/tls_policy_test_pki.hpp"
#include "herald/delivery/tls_report.hpp"

namespace herald::delivery {
namespace {

using test::Cert;
using test::Pkey;

dns::Tlsa tlsa(std::uint8_t usage, std::uint8_t selector, std::uint8_t mtype,
               std::vector<std::uint8_t> data) {
  return dns::Tlsa{usage, selector, mtype, std::move(data)};
}

dns::Answer tlsa_answer(std::vector<dns::Tlsa> records, bool secure = true) {
  dns::Answer a;
  a.status = dns::Status::ok;
  a.secure = secure;
  a.tlsa = std::move(records);
  return a;
}

const std::vector<std::uint8_t> kHash(32, 0xab);

TEST(Dane, TlsaName) {
  EXPECT_EQ(tlsa_name("MX.Example.NET."), "_25._tcp.mx.example.net");
  EXPECT_EQ(tlsa_name("mx.example.net", 465), "_465._tcp.mx.example.net");
}

TEST(Dane, UsableRecords) {
  EXPECT_TRUE(usable_tlsa(tlsa(3, 1, 1, kHash)));
  EXPECT_TRUE(usable_tlsa(tlsa(2, 0, 1, kHash)));
  EXPECT_TRUE(usable_tlsa(tlsa(3, 1, 2, std::vector<std::uint8_t>(64, 1))));
  EXPECT_TRUE(usable_tlsa(tlsa(3, 1, 0, {1, 2, 3})));
  EXPECT_FALSE(usable_tlsa(tlsa(0, 0, 1, kHash)));  // PKIX-TA
  EXPECT_FALSE(usable_tlsa(tlsa(1, 1, 1, kHash)));  // PKIX-EE
  EXPECT_FALSE(usable_tlsa(tlsa(3, 2, 1, kHash)));  // unknown selector
  EXPECT_FALSE(usable_tlsa(tlsa(3, 1, 3, kHash)));  // unknown matching type
  EXPECT_FALSE(usable_tlsa(tlsa(3, 1, 1, std::vector<std::uint8_t>(31, 1))));
  EXPECT_FALSE(usable_tlsa(tlsa(3, 1, 2, kHash)));  // SHA-512 needs 64 bytes
  EXPECT_FALSE(usable_tlsa(tlsa(3, 1, 0, {})));
}

TEST(Dane, Decisions) {
  // Secure usable records: authenticate, keeping only the usable ones.
  auto d = decide_dane(tlsa_answer({tlsa(3, 1, 1, kHash), tlsa(1, 1, 1, kHash)}), true);
  EXPECT_EQ(d.state, DaneState::authenticate);
  ASSERT_EQ(d.records.size(), 1u);
  EXPECT_TRUE(d.tls_required());
  // Insecure answer or insecure host addresses: no DANE.
  EXPECT_EQ(decide_dane(tlsa_answer({tlsa(3, 1, 1, kHash)}, false), true).state,
            DaneState::not_applicable);
  EXPECT_EQ(decide_dane(tlsa_answer({tlsa(3, 1, 1, kHash)}), false).state,
            DaneState::not_applicable);
  EXPECT_FALSE(decide_dane(tlsa_answer({tlsa(3, 1, 1, kHash)}), false).applies());
  // Only unusable records: TLS without authentication.
  auto e = decide_dane(tlsa_answer({tlsa(0, 0, 1, kHash), tlsa(1, 1, 1, kHash)}), true);
  EXPECT_EQ(e.state, DaneState::encrypt_only);
  EXPECT_TRUE(e.tls_required());
  // Bogus or failed lookups for a secure host: do not use the host.
  EXPECT_EQ(decide_dane(dns::make_failure(dns::Status::bogus, "sig expired"), true).state,
            DaneState::unusable_host);
  EXPECT_EQ(decide_dane(dns::make_failure(dns::Status::temporary_failure, "SERVFAIL"), true).state,
            DaneState::unusable_host);
  // ... but for an insecure host the TLSA answer is not even consulted.
  EXPECT_EQ(decide_dane(dns::make_failure(dns::Status::bogus, "x"), false).state,
            DaneState::not_applicable);
  EXPECT_EQ(decide_dane(dns::make_failure(dns::Status::nodata, ""), true).state,
            DaneState::not_applicable);
  EXPECT_EQ(decide_dane(dns::make_failure(dns::Status::nxdomain, ""), true).state,
            DaneState::not_applicable);
}

// A CA, a server certificate for mx.example.net signed by it, and a
// context that serves it with the CA in the chain (RFC 7672 §3.2.1 wants
// the trust anchor sent for DANE-TA).
class DaneHandshake : public ::testing::Test {
 protected:
  Pkey ca_key = test::make_key();
  Cert ca = test::make_cert("Test CA", ca_key.get(), nullptr, nullptr, true);
  Pkey key = test::make_key();
  Cert cert = test::make_cert("mx.example.net", key.get(), ca.get(), ca_key.get());
  test::SslCtx server = test::server_ctx(cert.get(), key.get(), ca.get());
  test::SslCtx client{SSL_CTX_new(TLS_client_method())};

  test::ClientSession connect(const DaneDecision& d, const std::string& host) {
    return test::handshake(server.get(), client.get(), [&](SSL* ssl) {
      auto applied = apply_dane(client.get(), ssl, d, host);
      EXPECT_TRUE(applied.ok()) << applied.error().message;
      return applied.ok();
    });
  }

  DaneDecision decision(std::vector<dns::Tlsa> records) {
    return decide_dane(tlsa_answer(std::move(records)), true);
  }
};

TEST_F(DaneHandshake, DaneEeSpkiSha256Verifies) {
  auto s =
      connect(decision({tlsa(3, 1, 1, test::sha256(test::der(cert.get(), 1)))}), "mx.example.net");
  ASSERT_TRUE(s.connected);
  const DaneVerification v = dane_verified(s.ssl.get());
  EXPECT_TRUE(v.verified) << v.detail;
  EXPECT_EQ(v.depth, 0);
}

TEST_F(DaneHandshake, DaneEeIgnoresNamesAndAcceptsFullCertificate) {
  // RFC 7672 §3.1.1: DANE-EE binds the key; the name does not matter.
  auto s = connect(decision({tlsa(3, 0, 0, test::der(cert.get(), 0))}), "other.example.org");
  ASSERT_TRUE(s.connected);
  EXPECT_TRUE(dane_verified(s.ssl.get()).verified);
}

TEST_F(DaneHandshake, WrongHashFailsTheHandshake) {
  auto s = connect(decision({tlsa(3, 1, 1, kHash)}), "mx.example.net");
  EXPECT_FALSE(s.connected);
  const DaneVerification v = dane_verified(s.ssl.get());
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.verify_result, X509_V_ERR_DANE_NO_MATCH);
  EXPECT_EQ(classify_verify_result(v.verify_result, true), TlsResultType::tlsa_invalid);
}

TEST_F(DaneHandshake, OneMatchingRecordOfSeveralIsEnough) {
  auto s = connect(
      decision({tlsa(3, 1, 1, kHash), tlsa(3, 1, 1, test::sha256(test::der(cert.get(), 1)))}),
      "mx.example.net");
  ASSERT_TRUE(s.connected);
  EXPECT_TRUE(dane_verified(s.ssl.get()).verified);
}

TEST_F(DaneHandshake, DaneTaChecksTheName) {
  const auto ta = decision({tlsa(2, 0, 1, test::sha256(test::der(ca.get(), 0)))});
  auto good = connect(ta, "mx.example.net");
  ASSERT_TRUE(good.connected);
  const DaneVerification v = dane_verified(good.ssl.get());
  EXPECT_TRUE(v.verified) << v.detail;
  EXPECT_EQ(v.depth, 1);
  auto wrong = connect(ta, "mx2.example.net");
  EXPECT_FALSE(wrong.connected);
  EXPECT_FALSE(dane_verified(wrong.ssl.get()).verified);
}

TEST_F(DaneHandshake, OnlyAuthenticateDecisionsAreApplied) {
  test::Ssl ssl(SSL_new(client.get()));
  EXPECT_FALSE(apply_dane(client.get(), ssl.get(), DaneDecision{}, "mx.example.net").ok());
  auto insecure = decide_dane(tlsa_answer({tlsa(3, 1, 1, kHash)}, false), true);
  EXPECT_FALSE(apply_dane(client.get(), ssl.get(), insecure, "mx.example.net").ok());
  // Without DANE nothing was verified, so nothing may be claimed.
  EXPECT_FALSE(dane_verified(ssl.get()).verified);
}

}  // namespace
}  // namespace herald::delivery
