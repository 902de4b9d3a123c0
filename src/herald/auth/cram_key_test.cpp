// Tests for the CRAM-MD5 key file and the sealing of CRAM-MD5 secrets.

#include "herald/auth/cram_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "herald/auth/cram_md5.hpp"

namespace herald::auth {
namespace {

namespace fs = std::filesystem;

class CramKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald-cramkey-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = cram_key_path(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
};

TEST_F(CramKeyTest, CreatedOwnerOnlyAndStable) {
  EXPECT_EQ(fs::path(path_).filename(), "cram.key");
  EXPECT_FALSE(CramKey::load(path_).ok());  // not there yet
  auto a = CramKey::load_or_create(path_);
  ASSERT_TRUE(a.ok()) << a.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 65);
  // A second call reads the same key: what one seals the other opens.
  auto b = CramKey::load_or_create(path_);
  ASSERT_TRUE(b.ok());
  auto sealed = a->seal("tanstaaftanstaaf");
  ASSERT_TRUE(sealed.ok());
  auto opened = b->open(*sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->view(), "tanstaaftanstaaf");
  // No temporary file left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1);
}

TEST_F(CramKeyTest, SealedTextHidesThePasswordAndVaries) {
  auto key = CramKey::load_or_create(path_);
  ASSERT_TRUE(key.ok());
  auto one = key->seal("correct horse");
  auto two = key->seal("correct horse");
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_NE(*one, *two);  // fresh nonce
  EXPECT_TRUE(one->starts_with("secretbox1$"));
  EXPECT_EQ(one->find("correct"), std::string::npos);
  EXPECT_FALSE(key->seal("").ok());
}

TEST_F(CramKeyTest, OtherKeyOrTamperingIsRefused) {
  auto key = CramKey::load_or_create(path_);
  ASSERT_TRUE(key.ok());
  auto sealed = key->seal("tanstaaftanstaaf");
  ASSERT_TRUE(sealed.ok());
  const std::string other_path = (dir_ / "other.key").string();
  auto other = CramKey::load_or_create(other_path);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->open(*sealed).ok());
  std::string tampered = *sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(key->open(tampered).ok());
  EXPECT_FALSE(key->open("").ok());
  EXPECT_FALSE(key->open("secretbox1$").ok());
  EXPECT_FALSE(key->open("secretbox1$AAAA$AAAA").ok());
  EXPECT_FALSE(key->open("plain-password").ok());
}

TEST_F(CramKeyTest, RefusesLooseModeAndGarbage) {
  ASSERT_TRUE(CramKey::load_or_create(path_).ok());
  ::chmod(path_.c_str(), 0644);
  auto loose = CramKey::load(path_);
  ASSERT_FALSE(loose.ok());
  EXPECT_NE(loose.error().message.find("chmod 600"), std::string::npos);
  ::chmod(path_.c_str(), 0600);
  EXPECT_TRUE(CramKey::load(path_).ok());
  {
    std::ofstream out(path_, std::ios::trunc);
    out << "not a key\n";
  }
  EXPECT_FALSE(CramKey::load(path_).ok());
}

TEST_F(CramKeyTest, OpenedSecretVerifiesCramMd5) {
  auto key = CramKey::load_or_create(path_);
  ASSERT_TRUE(key.ok());
  auto sealed = key->seal("tanstaaftanstaaf");
  ASSERT_TRUE(sealed.ok());
  auto secret = key->open(*sealed);
  ASSERT_TRUE(secret.ok());
  // RFC 2195 example.
  EXPECT_TRUE(verify_cram_md5(secret->view(), "<1896.697170952@postoffice.reston.mci.net>",
                              "b913a602c7eda7a495b4e6e7334d3890"));
}

}  // namespace
}  // namespace herald::auth
