// Tests for delivery::tls_policy (the precedence of DANE, MTA-STS and the
// configured default) and tls_policy_ssl (PKIX checks in real handshakes).
#include "herald/delivery/tls_policy.hpp"

#include <gtest/gtest.h>

#include "herald/delivery/tls_policy_ssl.hpp"
#include "herald/delivery/tls_policy_test_pki.hpp"

namespace herald::delivery {
namespace {

using config::DeliveryTls;

StsPolicy policy(StsMode mode) {
  StsPolicy p;
  p.mode = mode;
  p.mx = {"mx1.example.net", "*.backup.example.net"};
  p.max_age = std::chrono::seconds{86400};
  return p;
}

DaneDecision dane(DaneState state) {
  DaneDecision d;
  d.state = state;
  d.reason = std::string(to_string(state));
  if (state == DaneState::authenticate) d.records.push_back({3, 1, 1, std::vector<uint8_t>(32)});
  return d;
}

dns::MxTarget target(std::string host) {
  dns::MxTarget t;
  t.host = std::move(host);
  t.status = dns::Status::ok;
  return t;
}

TEST(HostRequirement, NoPolicyFollowsConfig) {
  auto r = host_requirement(DeliveryTls::opportunistic, nullptr, {}, "mx.example.org");
  EXPECT_TRUE(r.use_host);
  EXPECT_FALSE(r.tls_required);
  EXPECT_EQ(r.verify, Verify::none);
  EXPECT_EQ(r.policy_type, "no-policy-found");
  EXPECT_EQ(client_tls_policy(r), smtp::TlsPolicy::opportunistic);
  auto req = host_requirement(DeliveryTls::required, nullptr, {}, "mx.example.org");
  EXPECT_TRUE(req.tls_required);
  EXPECT_EQ(req.verify, Verify::none);
  EXPECT_EQ(client_tls_policy(req), smtp::TlsPolicy::required);
  // mode none is the same as no policy.
  const auto none = policy(StsMode::none);
  EXPECT_EQ(host_requirement(DeliveryTls::opportunistic, &none, {}, "x.example").policy_type,
            "no-policy-found");
}

TEST(HostRequirement, StsEnforce) {
  const auto p = policy(StsMode::enforce);
  auto r = host_requirement(DeliveryTls::opportunistic, &p, {}, "MX1.example.net.");
  EXPECT_TRUE(r.use_host);
  EXPECT_TRUE(r.tls_required);
  EXPECT_EQ(r.verify, Verify::pkix);
  EXPECT_TRUE(r.verify_enforced);
  EXPECT_EQ(r.policy_type, "sts");
  EXPECT_TRUE(
      host_requirement(DeliveryTls::opportunistic, &p, {}, "a.backup.example.net").use_host);
  auto skip = host_requirement(DeliveryTls::required, &p, {}, "mx.attacker.example");
  EXPECT_FALSE(skip.use_host);
  EXPECT_NE(skip.reason.find("not an mx of the MTA-STS policy"), std::string::npos);
  // Unusable-only TLSA records do not weaken an enforce policy.
  auto both = host_requirement(DeliveryTls::opportunistic, &p, dane(DaneState::encrypt_only),
                               "mx1.example.net");
  EXPECT_EQ(both.verify, Verify::pkix);
  EXPECT_TRUE(both.tls_required);
}

TEST(HostRequirement, StsTestingRecordsOnly) {
  const auto p = policy(StsMode::testing);
  auto r = host_requirement(DeliveryTls::opportunistic, &p, {}, "mx.elsewhere.example");
  EXPECT_TRUE(r.use_host);
  EXPECT_FALSE(r.tls_required);
  EXPECT_EQ(r.verify, Verify::pkix);
  EXPECT_FALSE(r.verify_enforced);
  EXPECT_TRUE(r.sts_mx_mismatch);
  EXPECT_EQ(r.policy_type, "sts");
  EXPECT_FALSE(
      host_requirement(DeliveryTls::opportunistic, &p, {}, "mx1.example.net").sts_mx_mismatch);
  EXPECT_TRUE(host_requirement(DeliveryTls::required, &p, {}, "mx1.example.net").tls_required);
}

TEST(HostRequirement, DaneBeatsSts) {
  const auto p = policy(StsMode::enforce);
  // Usable TLSA records: DANE, even for a host the STS policy does not list.
  auto r = host_requirement(DeliveryTls::opportunistic, &p, dane(DaneState::authenticate),
                            "mx.unlisted.example");
  EXPECT_TRUE(r.use_host);
  EXPECT_TRUE(r.tls_required);
  EXPECT_EQ(r.verify, Verify::dane);
  EXPECT_TRUE(r.verify_enforced);
  EXPECT_EQ(r.policy_type, "tlsa");
  // Bogus TLSA: the host is skipped whatever else applies.
  EXPECT_FALSE(host_requirement(DeliveryTls::opportunistic, &p, dane(DaneState::unusable_host),
                                "mx1.example.net")
                   .use_host);
  // Unusable-only records and no STS: TLS required, nothing to verify.
  auto e = host_requirement(DeliveryTls::opportunistic, nullptr, dane(DaneState::encrypt_only),
                            "mx.example.org");
  EXPECT_TRUE(e.tls_required);
  EXPECT_EQ(e.verify, Verify::none);
  EXPECT_EQ(e.policy_type, "tlsa");
}

TEST(DestinationPlan, FiltersAndKeepsOrder) {
  auto plan = plan_destination_tls(
      DeliveryTls::opportunistic, policy(StsMode::enforce),
      {target("mx.attacker.example"), target("b.backup.example.net"), target("mx1.example.net")},
      {});
  ASSERT_EQ(plan.hosts.size(), 2u);
  EXPECT_EQ(plan.hosts[0].target.host, "b.backup.example.net");
  EXPECT_EQ(plan.hosts[1].target.host, "mx1.example.net");
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_NE(plan.skipped[0].find("mx.attacker.example"), std::string::npos);
  EXPECT_TRUE(plan.temporary_failure.empty());
}

TEST(DestinationPlan, NoMatchingHostIsATemporaryFailure) {
  auto plan = plan_destination_tls(DeliveryTls::opportunistic, policy(StsMode::enforce),
                                   {target("mx.attacker.example")}, {});
  EXPECT_TRUE(plan.hosts.empty());
  EXPECT_EQ(plan.temporary_failure, "no MX host matches the MTA-STS policy");
  auto dane_plan =
      plan_destination_tls(DeliveryTls::opportunistic, std::nullopt, {target("mx.example.org")},
                           {dane(DaneState::unusable_host)});
  EXPECT_TRUE(dane_plan.hosts.empty());
  EXPECT_NE(dane_plan.temporary_failure.find("DANE"), std::string::npos);
  // No policy at all: every host is used; an empty target list is not a
  // policy failure.
  auto open = plan_destination_tls(DeliveryTls::opportunistic, std::nullopt, {}, {});
  EXPECT_TRUE(open.temporary_failure.empty());
}

TEST(DestinationPlan, DaneDecisionsPairWithTargets) {
  auto plan = plan_destination_tls(DeliveryTls::opportunistic, std::nullopt,
                                   {target("a.example"), target("b.example")},
                                   {dane(DaneState::authenticate)});
  ASSERT_EQ(plan.hosts.size(), 2u);
  EXPECT_EQ(plan.hosts[0].tls.verify, Verify::dane);
  EXPECT_EQ(plan.hosts[0].dane.records.size(), 1u);
  EXPECT_EQ(plan.hosts[1].tls.verify, Verify::none);
}

// PKIX in real handshakes: a CA given as [delivery] ca_file, and a server
// certificate for mx1.example.net.
class PkixHandshake : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_file(dir.path() / "ca.pem", test::pem(ca.get()));
    auto ctx = make_client_tls_context((dir.path() / "ca.pem").string());
    ASSERT_TRUE(ctx.ok()) << ctx.error().message;
    client = std::move(*ctx);
  }

  TlsCheck run(const TlsRequirement& req, const std::string& host, bool* connected) {
    auto session = test::handshake(server.get(), client->native_handle(), [&](SSL* ssl) {
      return configure_client_ssl(ssl, req, DaneDecision{}, host).ok();
    });
    *connected = session.connected;
    return check_client_ssl(session.ssl.get(), req);
  }

  test::TempDir dir;
  test::Pkey ca_key = test::make_key();
  test::Cert ca = test::make_cert("Test CA", ca_key.get(), nullptr, nullptr, true);
  test::Pkey key = test::make_key();
  test::Cert cert = test::make_cert("mx1.example.net", key.get(), ca.get(), ca_key.get());
  test::SslCtx server = test::server_ctx(cert.get(), key.get());
  std::shared_ptr<asio::ssl::context> client;
};

TEST_F(PkixHandshake, EnforcedMatch) {
  const auto p = policy(StsMode::enforce);
  const auto req = host_requirement(DeliveryTls::opportunistic, &p, {}, "mx1.example.net");
  bool connected = false;
  const TlsCheck check = run(req, "mx1.example.net", &connected);
  EXPECT_TRUE(connected);
  EXPECT_TRUE(check.acceptable) << check.detail;
  EXPECT_FALSE(check.failure.has_value());
}

TEST_F(PkixHandshake, EnforcedMismatchFailsTheHandshake) {
  TlsRequirement req;
  req.tls_required = true;
  req.verify = Verify::pkix;
  req.verify_enforced = true;
  bool connected = true;
  const TlsCheck check = run(req, "mx2.example.net", &connected);
  EXPECT_FALSE(connected);
  EXPECT_FALSE(check.acceptable);
  ASSERT_TRUE(check.failure.has_value());
  EXPECT_EQ(*check.failure, TlsResultType::certificate_host_mismatch);
}

TEST_F(PkixHandshake, TestingModeRecordsButAccepts) {
  const auto p = policy(StsMode::testing);
  const auto req = host_requirement(DeliveryTls::opportunistic, &p, {}, "mx2.example.net");
  bool connected = false;
  const TlsCheck check = run(req, "mx2.example.net", &connected);
  EXPECT_TRUE(connected);
  EXPECT_TRUE(check.acceptable);
  ASSERT_TRUE(check.failure.has_value());
  EXPECT_EQ(*check.failure, TlsResultType::certificate_host_mismatch);
}

TEST_F(PkixHandshake, UntrustedWithoutTheCaFile) {
  auto ctx = make_client_tls_context("");
  ASSERT_TRUE(ctx.ok());
  client = std::move(*ctx);
  TlsRequirement req;
  req.verify = Verify::pkix;
  req.verify_enforced = true;
  bool connected = true;
  const TlsCheck check = run(req, "mx1.example.net", &connected);
  EXPECT_FALSE(connected);
  ASSERT_TRUE(check.failure.has_value());
  EXPECT_EQ(*check.failure, TlsResultType::certificate_not_trusted);
}

TEST_F(PkixHandshake, OpportunisticAcceptsAnything) {
  TlsRequirement req;  // no policy, opportunistic
  bool connected = false;
  const TlsCheck check = run(req, "whatever.example", &connected);
  EXPECT_TRUE(connected);
  EXPECT_TRUE(check.acceptable);
  EXPECT_FALSE(check.failure.has_value());
}

TEST(ClientContext, MissingCaFileIsAnError) {
  auto ctx = make_client_tls_context("/nonexistent/ca.pem");
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace herald::delivery
