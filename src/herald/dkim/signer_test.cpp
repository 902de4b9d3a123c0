// Tests for dkim::signer: the RFC 8463 Ed25519 vector reproduced exactly,
// header choice, field layout and refusals.
#include "herald/dkim/signer.hpp"

#include <gtest/gtest.h>

#include "herald/base/base64.hpp"
#include "herald/dkim/key_generator.hpp"
#include "herald/dkim/test_vectors.hpp"
#include "herald/dkim/verifier.hpp"

namespace herald::dkim {
namespace {

std::unique_ptr<Signer> rfc_ed25519_signer() {
  auto s = Ed25519Sha256Signer::from_pem(testing::ed25519_pem_from_seed(testing::kRfcEd25519Seed));
  EXPECT_TRUE(s.ok()) << s.error().message;
  return std::move(*s);
}

std::string body_hash(std::string_view body) {
  RelaxedBodyHasher h;
  h.update(body);
  return h.finish();
}

TEST(Signer, ReproducesRfc8463Ed25519Signature) {
  auto fields = parse_header_section(testing::kRfcHeaders);
  ASSERT_TRUE(fields.ok());
  std::vector<std::string> names = {"from",       "to",   "subject", "date",
                                    "message-id", "from", "subject", "date"};
  std::string data =
      signing_input(*fields, names, testing::kRfcEd25519Signature, Canonicalization::kRelaxed);
  auto signer = rfc_ed25519_signer();
  auto sig = signer->sign(data);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(base::base64_encode(*sig), testing::kRfcEd25519B);
}

TEST(Signer, Rfc8463KeyPublishesRfcRecord) {
  auto txt = dns_txt_for_private_key(testing::ed25519_pem_from_seed(testing::kRfcEd25519Seed));
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(*txt, testing::kRfcEd25519Txt);
}

TEST(Signer, ChoosesPresentHeadersAndOverSignsFrom) {
  auto fields = parse_header_section(
      "From: a@example.com\r\nTo: b@example.net\r\nTo: c@example.net\r\nX-Other: 1\r\n"
      "Subject: hi\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
  ASSERT_TRUE(fields.ok());
  std::vector<std::string> expected = {"from", "from",    "to",
                                       "to",   "subject", "list-unsubscribe-post"};
  EXPECT_EQ(choose_signed_headers(*fields), expected);
}

TEST(Signer, BuildsFoldedDeterministicField) {
  auto signer = rfc_ed25519_signer();
  SignRequest req;
  req.domain = "football.example.com";
  req.selector = "brisbane";
  req.header_section = testing::kRfcHeaders;
  req.body_hash = body_hash(testing::kRfcBody);
  req.signer = signer.get();
  req.timestamp = 1528637909;
  auto field = make_signature_header(req);
  ASSERT_TRUE(field.ok()) << field.error().message;
  std::string unfolded = *field;
  for (std::size_t p; (p = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(p, 3);
  EXPECT_TRUE(unfolded.starts_with(
      "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;d=football.example.com;"))
      << *field;
  EXPECT_NE(unfolded.find("t=1528637909;"), std::string::npos);
  EXPECT_NE(unfolded.find("h=from:from:to:subject:date:message-id;"), std::string::npos) << *field;
  EXPECT_NE(unfolded.find(std::string("bh=") + testing::kRfcBodyHash + ";"), std::string::npos);
  ASSERT_TRUE(field->ends_with("\r\n"));
  std::size_t start = 0;
  while (start < field->size()) {
    std::size_t end = field->find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u) << field->substr(start, end - start);
    start = end + 2;
  }
  auto again = make_signature_header(req);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*field, *again);  // Ed25519 is deterministic

  auto results =
      verify_message(*field + testing::rfc_message(), [](std::string_view, std::string_view) {
        return std::optional<std::string>(testing::kRfcEd25519Txt);
      });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, VerifyStatus::kPass) << results[0].reason;
}

TEST(Signer, RefusesBadRequests) {
  auto signer = rfc_ed25519_signer();
  SignRequest req;
  req.domain = "example.com";
  req.selector = "s";
  req.header_section = testing::kRfcHeaders;
  req.body_hash = body_hash("");
  req.signer = signer.get();
  req.header_names = {"to", "subject"};
  EXPECT_FALSE(make_signature_header(req).ok());  // From not signed
  req.header_names = {};
  req.domain = "exa mple.com";
  EXPECT_FALSE(make_signature_header(req).ok());
  req.domain = "example.com";
  req.body_hash = "short";
  EXPECT_FALSE(make_signature_header(req).ok());
  req.body_hash = body_hash("");
  req.signer = nullptr;
  EXPECT_FALSE(make_signature_header(req).ok());
}

TEST(Signer, RefusesWrongKeys) {
  EXPECT_FALSE(RsaSha256Signer::from_pem("not a key").ok());
  EXPECT_FALSE(
      RsaSha256Signer::from_pem(testing::ed25519_pem_from_seed(testing::kRfcEd25519Seed)).ok());
  EXPECT_FALSE(
      signer_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
  auto any = signer_from_pem(testing::ed25519_pem_from_seed(testing::kRfcEd25519Seed));
  ASSERT_TRUE(any.ok());
  EXPECT_EQ((*any)->algorithm(), Algorithm::kEd25519Sha256);
}

}  // namespace
}  // namespace herald::dkim
