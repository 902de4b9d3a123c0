// Tests for dkim::key_generator: generated keys load, publish the right
// record shape, and zone-file splitting keeps strings under 256 octets.
#include "herald/dkim/key_generator.hpp"

#include <gtest/gtest.h>

#include "herald/base/base64.hpp"

namespace herald::dkim {
namespace {

TEST(KeyGenerator, Ed25519) {
  auto pair = generate_key_pair(Algorithm::kEd25519Sha256);
  ASSERT_TRUE(pair.ok()) << pair.error().message;
  ASSERT_TRUE(pair->dns_txt.starts_with("v=DKIM1; k=ed25519; p="));
  auto raw = base::base64_decode(pair->dns_txt.substr(22));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_TRUE(pair->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  auto signer = Ed25519Sha256Signer::from_pem(pair->private_key_pem);
  EXPECT_TRUE(signer.ok());
  EXPECT_EQ(*dns_txt_for_private_key(pair->private_key_pem), pair->dns_txt);
}

TEST(KeyGenerator, Rsa2048) {
  auto pair = generate_key_pair(Algorithm::kRsaSha256);
  ASSERT_TRUE(pair.ok()) << pair.error().message;
  ASSERT_TRUE(pair->dns_txt.starts_with("v=DKIM1; k=rsa; p=MII"));
  auto signer = RsaSha256Signer::from_pem(pair->private_key_pem);
  ASSERT_TRUE(signer.ok());
  auto sig = (*signer)->sign("data");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 256u);
  EXPECT_EQ(*dns_txt_for_private_key(pair->private_key_pem), pair->dns_txt);
  EXPECT_GT(pair->dns_txt.size(), 255u);  // so zone files need splitting
}

TEST(KeyGenerator, ZoneFileTxtSplits) {
  EXPECT_EQ(zone_file_txt(""), "\"\"");
  EXPECT_EQ(zone_file_txt("v=DKIM1; p=x"), "\"v=DKIM1; p=x\"");
  EXPECT_EQ(zone_file_txt("a\"b\\c"), "\"a\\\"b\\\\c\"");
  std::string value(600, 'A');
  std::string zone = zone_file_txt(value);
  EXPECT_EQ(zone, "\"" + std::string(255, 'A') + "\" \"" + std::string(255, 'A') + "\" \"" +
                      std::string(90, 'A') + "\"");
}

}  // namespace
}  // namespace herald::dkim
