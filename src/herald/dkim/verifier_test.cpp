// Tests for dkim::verifier: the RFC 8463 signatures, sign-then-verify round
// trips for both algorithms, tampering, over-signed From, and refusals.
#include "herald/dkim/verifier.hpp"

#include <gtest/gtest.h>

#include <map>

#include "herald/dkim/key_generator.hpp"
#include "herald/dkim/test_vectors.hpp"

namespace herald::dkim {
namespace {

KeyLookup fixed_lookup(std::map<std::string, std::string> records) {
  return [records = std::move(records)](std::string_view selector,
                                        std::string_view domain) -> std::optional<std::string> {
    auto it = records.find(std::string(selector) + "._domainkey." + std::string(domain));
    if (it == records.end()) return std::nullopt;
    return it->second;
  };
}

KeyLookup rfc_lookup() {
  return fixed_lookup({{"brisbane._domainkey.football.example.com", testing::kRfcEd25519Txt},
                       {"test._domainkey.football.example.com", testing::kRfcRsaTxt}});
}

TEST(Verifier, Rfc8463BothSignaturesPass) {
  std::string message = std::string(testing::kRfcEd25519Signature) + testing::kRfcRsaSignature +
                        testing::rfc_message();
  auto results = verify_message(message, rfc_lookup());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, VerifyStatus::kPass) << results[0].reason;
  EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(results[0].selector, "brisbane");
  EXPECT_EQ(results[1].status, VerifyStatus::kPass) << results[1].reason;
  EXPECT_EQ(results[1].domain, "football.example.com");
}

TEST(Verifier, SimpleSimpleSignature) {
  // Made by dkimpy with the RFC 8032 key over the RFC 6376 example message;
  // note the white space kept before each fold, which simple hashes as is.
  std::string message =
      "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; \r\n"
      " d=football.example.com; i=@football.example.com; \r\n"
      " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \r\n"
      " subject : date : message-id : from : subject : date; \r\n"
      " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
      " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\r\n"
      " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==\r\n" +
      testing::rfc_message();
  auto results = verify_message(message, rfc_lookup());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, VerifyStatus::kPass) << results[0].reason;
}

struct Signed {
  std::string message;
  KeyLookup lookup;
};

Signed sign_with_new_key(Algorithm algorithm, const std::string& headers, const std::string& body) {
  auto pair = generate_key_pair(algorithm);
  EXPECT_TRUE(pair.ok());
  auto signer = signer_from_pem(pair->private_key_pem);
  EXPECT_TRUE(signer.ok());
  RelaxedBodyHasher hasher;
  hasher.update(body);
  SignRequest req;
  req.domain = "example.org";
  req.selector = "sel";
  req.header_section = headers;
  req.body_hash = hasher.finish();
  req.signer = signer->get();
  req.timestamp = 1700000000;
  auto field = make_signature_header(req);
  EXPECT_TRUE(field.ok()) << field.error().message;
  return {*field + headers + "\r\n" + body,
          fixed_lookup({{"sel._domainkey.example.org", pair->dns_txt}})};
}

const std::string kHeaders =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: a rather long subject line that goes on and on so that it has to be\r\n"
    " folded by the sender   with   odd   spacing\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n";
const std::string kBody = "Hello  \r\n.dot line\r\n\r\ncaf\xc3\xa9\t\r\n\r\n\r\n";

VerifyStatus only_status(const Signed& s, std::string_view message) {
  auto results = verify_message(message, s.lookup);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? VerifyStatus::kPermError : results[0].status;
}

class RoundTrip : public ::testing::TestWithParam<Algorithm> {};

TEST_P(RoundTrip, SignedMessageVerifies) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, kBody);
  EXPECT_EQ(only_status(s, s.message), VerifyStatus::kPass);
}

TEST_P(RoundTrip, EmptyBodyVerifies) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, "");
  EXPECT_EQ(only_status(s, s.message), VerifyStatus::kPass);
  Signed crlfs = sign_with_new_key(GetParam(), kHeaders, "\r\n\r\n\r\n");
  EXPECT_EQ(only_status(crlfs, crlfs.message), VerifyStatus::kPass);
}

TEST_P(RoundTrip, ChangedBodyFails) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, kBody);
  std::string tampered = s.message;
  tampered.replace(tampered.find("Hello"), 5, "Jello");
  auto results = verify_message(tampered, s.lookup);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, VerifyStatus::kFail);
  EXPECT_NE(results[0].reason.find("body hash"), std::string::npos);
  // Relaxed canonicalization tolerates white-space changes inside lines.
  std::string respaced = s.message;
  respaced.replace(respaced.find("Hello  "), 7, "Hello\t \t");
  EXPECT_EQ(only_status(s, respaced), VerifyStatus::kPass);
}

TEST_P(RoundTrip, ChangedSignedHeaderFails) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, kBody);
  std::string tampered = s.message;
  tampered.replace(tampered.find("bob@"), 4, "eve@");
  auto results = verify_message(tampered, s.lookup);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, VerifyStatus::kFail);
  EXPECT_NE(results[0].reason.find("b="), std::string::npos);
}

TEST_P(RoundTrip, AddedUnsignedHeaderStillPasses) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, kBody);
  std::string added = s.message;
  added.insert(added.find("From:"), "X-Mailer: relay\r\nReceived: by mx\r\n");
  EXPECT_EQ(only_status(s, added), VerifyStatus::kPass);
  std::string prepended = "Received: from somewhere\r\n" + s.message;
  EXPECT_EQ(only_status(s, prepended), VerifyStatus::kPass);
}

TEST_P(RoundTrip, OverSignedFromBlocksAddedFrom) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, kBody);
  std::string above = s.message;
  above.insert(above.find("From:"), "From: ceo@bank.example\r\n");
  EXPECT_EQ(only_status(s, above), VerifyStatus::kFail);
  std::string below = s.message;
  below.insert(below.find("\r\n\r\n") + 2, "From: ceo@bank.example\r\n");
  EXPECT_EQ(only_status(s, below), VerifyStatus::kFail);
}

TEST_P(RoundTrip, WrongKeyFails) {
  Signed s = sign_with_new_key(GetParam(), kHeaders, kBody);
  Signed other = sign_with_new_key(GetParam(), kHeaders, kBody);
  EXPECT_EQ(only_status(other, s.message), VerifyStatus::kFail);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, RoundTrip,
                         ::testing::Values(Algorithm::kRsaSha256, Algorithm::kEd25519Sha256));

TEST(Verifier, RefusesBodyLengthTag) {
  std::string sig = testing::kRfcEd25519Signature;
  sig.insert(sig.find("q=dns/txt;"), "l=5; ");
  auto results = verify_message(sig + testing::rfc_message(), rfc_lookup());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, VerifyStatus::kPermError);
  EXPECT_NE(results[0].reason.find("l="), std::string::npos);
}

TEST(Verifier, KeyRecordProblems) {
  std::string message = std::string(testing::kRfcEd25519Signature) + testing::rfc_message();
  auto none = verify_message(message, fixed_lookup({}));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].status, VerifyStatus::kTempError);
  auto revoked = verify_message(
      message,
      fixed_lookup({{"brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p="}}));
  EXPECT_EQ(revoked[0].status, VerifyStatus::kPermError);
  EXPECT_NE(revoked[0].reason.find("revoked"), std::string::npos);
  auto wrong_type = verify_message(
      message, fixed_lookup({{"brisbane._domainkey.football.example.com", testing::kRfcRsaTxt}}));
  EXPECT_EQ(wrong_type[0].status, VerifyStatus::kPermError);
}

TEST(Verifier, MalformedSignatures) {
  auto check = [](const std::string& field) {
    auto results = verify_message(field + testing::rfc_message(), rfc_lookup());
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? VerifyStatus::kPass : results[0].status;
  };
  EXPECT_EQ(check("DKIM-Signature: v=1; a=rsa-sha256\r\n"), VerifyStatus::kPermError);
  EXPECT_EQ(check("DKIM-Signature: garbage\r\n"), VerifyStatus::kPermError);
  EXPECT_EQ(check("DKIM-Signature: v=1; a=rsa-sha1; b=AA==; bh=AA==; d=x; h=from; s=y\r\n"),
            VerifyStatus::kPermError);
  EXPECT_EQ(check("DKIM-Signature: v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x; h=to; s=y\r\n"),
            VerifyStatus::kPermError);
  EXPECT_EQ(check("DKIM-Signature: v=1; v=1; a=rsa-sha256; b=AA==; bh=AA==; d=x; h=from; s=y\r\n"),
            VerifyStatus::kPermError);
  EXPECT_TRUE(verify_message(testing::rfc_message(), rfc_lookup()).empty());
}

}  // namespace
}  // namespace herald::dkim
