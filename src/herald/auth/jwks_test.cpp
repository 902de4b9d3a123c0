// Tests for JWKS parsing (key types, skipped keys, bad encodings),
// base64url, the strict JSON helper, and JwksSource's file reload and URL
// caching with a fake fetcher and a fake clock.

#include "herald/auth/jwks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "herald/auth/jwt_test_util.hpp"

namespace herald::auth {
namespace {

using test::KeyKind;
using test::TestKey;
using json = nlohmann::json;

TEST(Base64url, Strict) {
  EXPECT_EQ(*base64url_decode(""), "");
  EXPECT_EQ(*base64url_decode("YQ"), "a");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("YQ==").ok());  // padding
  EXPECT_FALSE(base64url_decode("+/8").ok());   // standard alphabet
  EXPECT_FALSE(base64url_decode("YR").ok());    // non-zero trailing bits
  EXPECT_FALSE(base64url_decode("Y").ok());     // impossible length
  EXPECT_FALSE(base64url_decode("Y Q").ok());
}

TEST(StrictJson, RefusesDuplicatesAndDepth) {
  EXPECT_TRUE(parse_json_object(R"({"a":{"b":1},"c":{"b":2}})").ok());
  EXPECT_FALSE(parse_json_object(R"({"a":1,"a":2})").ok());
  EXPECT_FALSE(parse_json_object(R"({"a":{"b":1,"b":1}})").ok());
  EXPECT_FALSE(parse_json_object("[]").ok());
  EXPECT_FALSE(parse_json_object("{} x").ok());
  EXPECT_FALSE(parse_json_object("{\"a\":\"\xff\"}").ok());  // invalid UTF-8
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_FALSE(parse_json_object(R"({"a":)" + deep + "}").ok());
}

TEST(Jwks, ParsesAllThreeKeyTypes) {
  auto rsa = TestKey::generate(KeyKind::rsa, "r");
  auto ec = TestKey::generate(KeyKind::p256, "e");
  auto ed = TestKey::generate(KeyKind::ed25519, "o");
  auto set = parse_jwks(test::jwks_of({&rsa, &ec, &ed}));
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->keys.size(), 3u);
  EXPECT_EQ(set->keys[0].alg, JwsAlg::rs256);
  EXPECT_EQ(set->keys[1].alg, JwsAlg::es256);
  EXPECT_EQ(set->keys[2].alg, JwsAlg::eddsa);
  EXPECT_EQ(set->keys[2].kid, "o");
  EXPECT_TRUE(set->skipped.empty());
}

TEST(Jwks, SkipsUnusableKeys) {
  auto ed = TestKey::generate(KeyKind::ed25519, "good");
  json set = json::parse(test::jwks_of({&ed}));
  auto add = [&](json k) { set["keys"].push_back(std::move(k)); };
  json enc = ed.jwk();
  enc["use"] = "enc";
  add(enc);
  add({{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}});
  json x448 = ed.jwk();
  x448["crv"] = "X25519";
  add(x448);
  json rs384 = TestKey::generate(KeyKind::rsa, "r").jwk();
  rs384["alg"] = "RS384";
  add(rs384);
  json ec = TestKey::generate(KeyKind::p256, "e").jwk();
  ec["x"] = test::b64url(std::string(32, '\x01'));  // not on the curve
  add(ec);
  json short_ed = ed.jwk();
  short_ed["x"] = "AAAA";
  add(short_ed);
  // A 1024-bit RSA key.
  EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024));
  TestKey weak{KeyKind::rsa, std::shared_ptr<EVP_PKEY>(small, EVP_PKEY_free), "weak"};
  add(weak.jwk());
  add("not an object");

  auto parsed = parse_jwks(set.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->keys.size(), 1u);
  EXPECT_EQ(parsed->keys[0].kid, "good");
  EXPECT_EQ(parsed->skipped.size(), 8u);
  const std::string all = [&] {
    std::string s;
    for (const auto& x : parsed->skipped) s += x + "\n";
    return s;
  }();
  EXPECT_NE(all.find("(kid weak): RSA key shorter than 2048 bits"), std::string::npos) << all;
  EXPECT_NE(all.find("key type \"oct\" is not supported"), std::string::npos) << all;
  EXPECT_NE(all.find("(kid e): OpenSSL refused"), std::string::npos) << all;  // off the curve
}

TEST(Jwks, RefusesBadSets) {
  EXPECT_FALSE(parse_jwks("").ok());
  EXPECT_FALSE(parse_jwks("{}").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":{}})").ok());
  auto none = parse_jwks(R"({"keys":[]})");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no usable signing key"), std::string::npos);
  EXPECT_FALSE(parse_jwks(R"({"keys":[{"kty":"oct","k":"AA"}]})").ok());
  EXPECT_FALSE(parse_jwks(std::string(kMaxJwksSize + 1, ' ')).ok());
}

class TempFile {
 public:
  TempFile() {
    path_ = std::filesystem::temp_directory_path() /
            ("herald-jwks-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
  }
  ~TempFile() { std::filesystem::remove(path_); }
  void write(const std::string& text) {
    // Replace, as an operator (or a config tool) would: new inode.
    auto tmp = path_.string() + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    std::filesystem::rename(tmp, path_);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  static inline int counter_ = 0;
};

TEST(JwksSource, FileReloadsWhenChangedAndKeepsOldKeysOnError) {
  auto a = TestKey::generate(KeyKind::ed25519, "a");
  auto b = TestKey::generate(KeyKind::ed25519, "b");
  TempFile file;
  file.write(test::jwks_of({&a}));
  JwksSource source({.file = file.path()});
  auto first = source.get();
  ASSERT_TRUE(first.keys) << first.error;
  EXPECT_EQ(first.keys->keys[0].kid, "a");
  EXPECT_EQ(source.get().keys, first.keys);  // unchanged: same snapshot

  file.write(test::jwks_of({&a, &b}));
  auto second = source.get();
  EXPECT_TRUE(second.error.empty());
  EXPECT_EQ(second.keys->keys.size(), 2u);

  file.write("{ half written");
  auto broken = source.get();
  EXPECT_FALSE(broken.error.empty());
  EXPECT_EQ(broken.keys, second.keys);

  std::filesystem::remove(file.path());
  auto gone = source.get();
  EXPECT_NE(gone.error.find("cannot read JWKS file"), std::string::npos);
  EXPECT_EQ(gone.keys, second.keys);
}

TEST(JwksSource, UrlIsCachedAndRefetchedAtMostOncePerMinute) {
  auto a = TestKey::generate(KeyKind::ed25519, "a");
  auto b = TestKey::generate(KeyKind::ed25519, "b");
  std::string served = test::jwks_of({&a});
  int fetches = 0;
  auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  JwksSource source({.url = "https://issuer.example/jwks",
                     .fetch = [&](const std::string& url) -> base::Result<std::string> {
                       EXPECT_EQ(url, "https://issuer.example/jwks");
                       ++fetches;
                       return served;
                     },
                     .clock = [&] { return now; }});
  EXPECT_EQ(source.get().keys->keys.size(), 1u);
  EXPECT_EQ(fetches, 1);
  now += std::chrono::seconds(30);
  source.get(true);  // unknown kid, but fetched 30 s ago
  EXPECT_EQ(fetches, 1);
  served = test::jwks_of({&a, &b});
  now += std::chrono::seconds(31);
  EXPECT_EQ(source.get(true).keys->keys.size(), 2u);  // rotation picked up
  EXPECT_EQ(fetches, 2);
  now += std::chrono::minutes(5);
  source.get();  // within the 10 min cache
  EXPECT_EQ(fetches, 2);
  now += std::chrono::minutes(6);
  source.get();
  EXPECT_EQ(fetches, 3);

  // The issuer fails: old keys stay, and it is not asked again at once.
  served = "<html>oops</html>";
  now += std::chrono::minutes(11);
  auto failed = source.get();
  EXPECT_FALSE(failed.error.empty());
  EXPECT_EQ(failed.keys->keys.size(), 2u);
  EXPECT_EQ(fetches, 4);
  source.get();
  source.get(true);
  EXPECT_EQ(fetches, 4);
  now += std::chrono::seconds(61);
  source.get();
  EXPECT_EQ(fetches, 5);
}

TEST(JwksFetch, RefusesPlainHttpToOtherHosts) {
  // No network needed: libcurl refuses the scheme before connecting.
  auto r = fetch_jwks_url("http://localhost.example.invalid/jwks");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("fetching the JWKS failed"), std::string::npos);
  EXPECT_FALSE(fetch_jwks_url("file:///etc/passwd").ok());
}

}  // namespace
}  // namespace herald::auth
