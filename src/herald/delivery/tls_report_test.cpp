// Tests for delivery::TlsReportRecorder: counting per domain, policy and
// day, and the RFC 8460 §4.4 JSON shape (parsed back with nlohmann).
#include "herald/delivery/tls_report.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace herald::delivery {
namespace {

using namespace std::chrono;

const TlsReportRecorder::Day kDay = sys_days{year{2026} / November / 23};

TlsReportPolicy sts_policy() {
  TlsReportPolicy p;
  p.type = "sts";
  p.strings = {"version: STSv1", "mode: enforce", "mx: *.example.net", "max_age: 86400"};
  p.mx_hosts = {"*.example.net"};
  return p;
}

TlsFailure failure(TlsResultType type, std::string mx = "mx1.example.net") {
  TlsFailure f;
  f.type = type;
  f.sending_mta_ip = "192.0.2.1";
  f.receiving_mx_hostname = std::move(mx);
  f.receiving_ip = "198.51.100.7";
  return f;
}

TEST(TlsResultType, Names) {
  EXPECT_EQ(to_string(TlsResultType::starttls_not_supported), "starttls-not-supported");
  EXPECT_EQ(to_string(TlsResultType::certificate_host_mismatch), "certificate-host-mismatch");
  EXPECT_EQ(to_string(TlsResultType::certificate_expired), "certificate-expired");
  EXPECT_EQ(to_string(TlsResultType::certificate_not_trusted), "certificate-not-trusted");
  EXPECT_EQ(to_string(TlsResultType::validation_failure), "validation-failure");
  EXPECT_EQ(to_string(TlsResultType::tlsa_invalid), "tlsa-invalid");
  EXPECT_EQ(to_string(TlsResultType::dnssec_invalid), "dnssec-invalid");
  EXPECT_EQ(to_string(TlsResultType::dane_required), "dane-required");
  EXPECT_EQ(to_string(TlsResultType::sts_policy_fetch_error), "sts-policy-fetch-error");
  EXPECT_EQ(to_string(TlsResultType::sts_policy_invalid), "sts-policy-invalid");
  EXPECT_EQ(to_string(TlsResultType::sts_webpki_invalid), "sts-webpki-invalid");
}

TEST(TlsResultType, FromVerifyResult) {
  EXPECT_EQ(classify_verify_result(X509_V_ERR_HOSTNAME_MISMATCH, false),
            TlsResultType::certificate_host_mismatch);
  EXPECT_EQ(classify_verify_result(X509_V_ERR_CERT_HAS_EXPIRED, false),
            TlsResultType::certificate_expired);
  EXPECT_EQ(classify_verify_result(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, false),
            TlsResultType::certificate_not_trusted);
  EXPECT_EQ(classify_verify_result(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, true),
            TlsResultType::tlsa_invalid);
  EXPECT_EQ(classify_verify_result(X509_V_ERR_DANE_NO_MATCH, true), TlsResultType::tlsa_invalid);
  EXPECT_EQ(classify_verify_result(X509_V_ERR_CERT_SIGNATURE_FAILURE, false),
            TlsResultType::validation_failure);
}

TEST(TlsReport, JsonShape) {
  TlsReportRecorder rec;
  const auto p = sts_policy();
  for (int i = 0; i < 3; ++i) rec.record_success("Example.NET", p, kDay);
  rec.record_failure("example.net", p, failure(TlsResultType::certificate_expired), kDay);
  rec.record_failure("example.net", p, failure(TlsResultType::certificate_expired), kDay);
  rec.record_failure("example.net", p,
                     failure(TlsResultType::starttls_not_supported, "mx2.example.net"), kDay);
  // Another day and another domain stay apart.
  rec.record_success("example.net", p, kDay + days{1});
  rec.record_success("other.example", TlsReportPolicy{}, kDay);

  const auto j = nlohmann::json::parse(
      rec.report_json("example.net", kDay, "Herald at mail.example.com", "postmaster@example.com"));
  EXPECT_EQ(j["organization-name"], "Herald at mail.example.com");
  EXPECT_EQ(j["contact-info"], "postmaster@example.com");
  EXPECT_EQ(j["date-range"]["start-datetime"], "2026-11-23T00:00:00Z");
  EXPECT_EQ(j["date-range"]["end-datetime"], "2026-11-23T23:59:59Z");
  EXPECT_EQ(j["report-id"], "2026-11-23T00:00:00Z_example.net");
  ASSERT_EQ(j["policies"].size(), 1u);
  const auto& entry = j["policies"][0];
  EXPECT_EQ(entry["policy"]["policy-type"], "sts");
  EXPECT_EQ(entry["policy"]["policy-domain"], "example.net");
  EXPECT_EQ(entry["policy"]["policy-string"].size(), 4u);
  EXPECT_EQ(entry["policy"]["mx-host"][0], "*.example.net");
  EXPECT_EQ(entry["summary"]["total-successful-session-count"], 3);
  EXPECT_EQ(entry["summary"]["total-failure-session-count"], 3);
  ASSERT_EQ(entry["failure-details"].size(), 2u);
  std::map<std::string, nlohmann::json> by_type;
  for (const auto& d : entry["failure-details"]) by_type[d["result-type"]] = d;
  ASSERT_TRUE(by_type.count("certificate-expired"));
  EXPECT_EQ(by_type["certificate-expired"]["failed-session-count"], 2);
  EXPECT_EQ(by_type["certificate-expired"]["sending-mta-ip"], "192.0.2.1");
  EXPECT_EQ(by_type["certificate-expired"]["receiving-mx-hostname"], "mx1.example.net");
  EXPECT_EQ(by_type["certificate-expired"]["receiving-ip"], "198.51.100.7");
  EXPECT_FALSE(by_type["certificate-expired"].contains("receiving-mx-helo"));
  EXPECT_EQ(by_type["starttls-not-supported"]["receiving-mx-hostname"], "mx2.example.net");

  EXPECT_EQ(rec.domains(kDay), (std::vector<std::string>{"example.net", "other.example"}));
  const auto other =
      nlohmann::json::parse(rec.report_json("other.example", kDay, "o", "c", "id-1"));
  EXPECT_EQ(other["report-id"], "id-1");
  EXPECT_EQ(other["policies"][0]["policy"]["policy-type"], "no-policy-found");
  EXPECT_FALSE(other["policies"][0].contains("failure-details"));
}

TEST(TlsReport, PolicyChangeGivesTwoEntriesAndEmptyReportsAreValid) {
  TlsReportRecorder rec;
  auto p1 = sts_policy();
  auto p2 = sts_policy();
  p2.strings[1] = "mode: testing";
  rec.record_success("example.net", p1, kDay);
  rec.record_success("example.net", p2, kDay);
  auto j = nlohmann::json::parse(rec.report_json("example.net", kDay, "o", "c"));
  EXPECT_EQ(j["policies"].size(), 2u);
  auto empty = nlohmann::json::parse(rec.report_json("nothing.example", kDay, "o", "c"));
  EXPECT_TRUE(empty["policies"].is_array());
  EXPECT_TRUE(empty["policies"].empty());
}

TEST(TlsReport, ForgetAndDayOf) {
  TlsReportRecorder rec;
  rec.record_success("example.net", sts_policy(), kDay);
  rec.record_success("example.net", sts_policy(), kDay + days{1});
  rec.forget_before(kDay + days{1});
  EXPECT_TRUE(rec.domains(kDay).empty());
  EXPECT_EQ(rec.domains(kDay + days{1}).size(), 1u);
  EXPECT_EQ(TlsReportRecorder::day_of(sys_days{kDay} + hours{23} + minutes{59}), kDay);
}

TEST(TlsReport, BoundedMemory) {
  TlsReportRecorder rec(/*max_domains=*/1, /*max_failure_kinds_per_policy=*/1);
  rec.record_failure("example.net", sts_policy(), failure(TlsResultType::tlsa_invalid, "a"), kDay);
  rec.record_failure("example.net", sts_policy(), failure(TlsResultType::tlsa_invalid, "b"), kDay);
  rec.record_success("second.example", sts_policy(), kDay);
  EXPECT_EQ(rec.domains(kDay).size(), 1u);
  auto j = nlohmann::json::parse(rec.report_json("example.net", kDay, "o", "c"));
  EXPECT_EQ(j["policies"][0]["summary"]["total-failure-session-count"], 2);
  EXPECT_EQ(j["policies"][0]["failure-details"].size(), 1u);
}

TEST(TlsReport, ThreadSafe) {
  TlsReportRecorder rec;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        rec.record_success("example.net", sts_policy(), kDay);
        rec.record_failure("example.net", sts_policy(), failure(TlsResultType::tlsa_invalid), kDay);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto j = nlohmann::json::parse(rec.report_json("example.net", kDay, "o", "c"));
  EXPECT_EQ(j["policies"][0]["summary"]["total-successful-session-count"], 4000);
  EXPECT_EQ(j["policies"][0]["failure-details"][0]["failed-session-count"], 4000);
}

}  // namespace
}  // namespace herald::delivery
