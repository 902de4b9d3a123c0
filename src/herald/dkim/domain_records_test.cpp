// Tests for dkim::domain_records: what `herald domain dns` prints and how
// `herald domain verify` judges each answer.
#include "herald/dkim/domain_records.hpp"

#include <gtest/gtest.h>

namespace herald::dkim {
namespace {

DomainRecordInput input() {
  return {"acme.example",
          "mail.herald.example",
          {{"s1", "v=DKIM1; k=rsa; p=AAAA", "retiring"},
           {"s2", "v=DKIM1; k=ed25519; p=BBBB", "active"},
           {"s0", "v=DKIM1; k=rsa; p=OLD", "retired"}}};
}

const ExpectedRecord& find(const std::vector<ExpectedRecord>& all, RecordKind kind, int nth = 0) {
  for (const auto& r : all) {
    if (r.kind == kind && nth-- == 0) return r;
  }
  throw std::runtime_error("no such record");
}

TEST(DomainRecords, ListsEveryRecordButRetiredKeys) {
  auto all = expected_records(input());
  ASSERT_EQ(all.size(), 7u);  // 2 DKIM, SPF, DMARC, MTA-STS, TLS-RPT, MX
  EXPECT_EQ(find(all, RecordKind::kDkim).name, "s1._domainkey.acme.example.");
  EXPECT_NE(find(all, RecordKind::kDkim).note.find("retiring"), std::string::npos);
  EXPECT_EQ(find(all, RecordKind::kDkim, 1).name, "s2._domainkey.acme.example.");
  EXPECT_EQ(find(all, RecordKind::kSpf).value, "v=spf1 a:mail.herald.example ~all");
  EXPECT_EQ(find(all, RecordKind::kDmarc).name, "_dmarc.acme.example.");
  EXPECT_EQ(find(all, RecordKind::kTlsRpt).name, "_smtp._tls.acme.example.");
  EXPECT_EQ(find(all, RecordKind::kMx).value, "10 mail.herald.example.");
  EXPECT_FALSE(find(all, RecordKind::kMx).required);
  EXPECT_EQ(
      zone_line(find(all, RecordKind::kDmarc)),
      "_dmarc.acme.example. IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@acme.example\"");
}

TEST(DomainRecords, MtaStsIdFollowsThePolicy) {
  auto a = input();
  auto b = input();
  b.hostname = "other.herald.example";
  auto id_a = find(expected_records(a), RecordKind::kMtaSts).value;
  EXPECT_EQ(id_a, find(expected_records(a), RecordKind::kMtaSts).value);
  EXPECT_NE(id_a, find(expected_records(b), RecordKind::kMtaSts).value);
  EXPECT_EQ(mta_sts_policy(a),
            "version: STSv1\r\nmode: testing\r\nmx: mail.herald.example\r\nmax_age: 604800\r\n");
}

TEST(DomainRecords, ChecksDkimByKey) {
  auto all = expected_records(input());
  const auto& e = find(all, RecordKind::kDkim, 1);
  EXPECT_EQ(check_record(e, {"v=DKIM1; k=ed25519; p=BB BB"}, "h").status, RecordStatus::kOk);
  EXPECT_EQ(check_record(e, {}, "h").status, RecordStatus::kMissing);
  auto w = check_record(e, {"v=DKIM1; k=ed25519; p=CCCC"}, "h");
  EXPECT_EQ(w.status, RecordStatus::kWrong);
  EXPECT_EQ(w.found, "v=DKIM1; k=ed25519; p=CCCC");
  EXPECT_NE(w.advice.find("s2._domainkey.acme.example."), std::string::npos);
}

TEST(DomainRecords, ChecksSpf) {
  auto all = expected_records(input());
  const auto& e = find(all, RecordKind::kSpf);
  const std::string h = "mail.herald.example";
  EXPECT_EQ(check_record(e, {"v=spf1 a:mail.herald.example -all"}, h).status, RecordStatus::kOk);
  EXPECT_EQ(check_record(e, {"google-site-verification=x"}, h).status, RecordStatus::kMissing);
  EXPECT_EQ(check_record(e, {"v=spf1 mx -all"}, h).status, RecordStatus::kWrong);
  auto two = check_record(e, {"v=spf1 a:mail.herald.example -all", "v=spf1 -all"}, h);
  EXPECT_EQ(two.status, RecordStatus::kWrong);
  EXPECT_NE(two.advice.find("several"), std::string::npos);
}

TEST(DomainRecords, ChecksTaggedRecordsAndMx) {
  auto all = expected_records(input());
  const std::string h = "mail.herald.example";
  EXPECT_EQ(check_record(find(all, RecordKind::kDmarc), {"v=DMARC1; p=reject"}, h).status,
            RecordStatus::kOk);
  EXPECT_EQ(check_record(find(all, RecordKind::kDmarc), {"v=DMARC1; rua=mailto:x@y"}, h).status,
            RecordStatus::kWrong);
  EXPECT_EQ(check_record(find(all, RecordKind::kMtaSts), {"v=STSv1; id=1"}, h).status,
            RecordStatus::kOk);
  EXPECT_EQ(check_record(find(all, RecordKind::kTlsRpt), {"v=TLSRPTv1;"}, h).status,
            RecordStatus::kWrong);
  EXPECT_EQ(check_record(find(all, RecordKind::kMx), {"10 MAIL.herald.example."}, h).status,
            RecordStatus::kOk);
  EXPECT_EQ(check_record(find(all, RecordKind::kMx), {"10 mx.other.example."}, h).status,
            RecordStatus::kWrong);
}

}  // namespace
}  // namespace herald::dkim
