// Tests for the one-file message format: body, envelope trailer, footer.
#include "herald/spool/message_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "herald/spool/file_descriptor.hpp"
#include "herald/spool/test_dir.hpp"

namespace herald::spool {
namespace {

FileDescriptor file_with(const TestDir& dir, const std::string& bytes) {
  const std::string path = dir.path() + "/m.msg";
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  EXPECT_TRUE(fd.valid());
  EXPECT_TRUE(write_all(fd.get(), bytes, "write").ok());
  return fd;
}

TEST(MessageFile, RoundTripsBodyAndEnvelope) {
  TestDir dir;
  Envelope e = test_envelope();
  const std::string body = "Subject: hi\r\n\r\nbody\r\n";
  e.id = "0000000000000000";
  e.size = body.size();
  auto fd = file_with(dir, body + message_trailer(e));
  auto file = read_message_file(fd.get(), "m.msg");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->body_size, body.size());
  EXPECT_EQ(file->envelope, e);
}

TEST(MessageFile, FooterIsFixedSizeAtTheEnd) {
  Envelope e = test_envelope();
  std::string trailer = message_trailer(e);
  ASSERT_GE(trailer.size(), kFooterSize);
  auto length = parse_footer(std::string_view(trailer).substr(trailer.size() - kFooterSize));
  ASSERT_TRUE(length.ok()) << length.error().message;
  EXPECT_EQ(*length, trailer.size() - kFooterSize);
}

TEST(MessageFile, EmptyBodyIsFine) {
  TestDir dir;
  Envelope e = test_envelope();
  e.id = "0000000000000000";
  e.size = 0;
  auto fd = file_with(dir, message_trailer(e));
  auto file = read_message_file(fd.get(), "m.msg");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->body_size, 0u);
}

TEST(MessageFile, RefusesDamage) {
  TestDir dir;
  Envelope e = test_envelope();
  const std::string body = "body\r\n";
  e.size = body.size();
  const std::string good = body + message_trailer(e);
  // Each of these must be an error, never a guess at where the body ends.
  std::vector<std::string> bad = {
      "",                               // empty
      body,                             // a body without trailer (old format)
      good.substr(0, good.size() - 1),  // footer cut
      good.substr(1),                   // body cut: the sizes disagree
      good + "x",                       // bytes after the footer
  };
  std::string wrong_length = good;
  wrong_length[wrong_length.size() - 2] = 'g';  // not hexadecimal
  bad.push_back(wrong_length);
  std::string huge = good;
  huge.replace(huge.size() - 13, 12, "ffffffffffff");  // longer than the file
  bad.push_back(huge);
  for (const auto& bytes : bad) {
    auto fd = file_with(dir, bytes);
    EXPECT_FALSE(read_message_file(fd.get(), "m.msg").ok()) << bytes.size();
  }
}

TEST(MessageFile, ABodyEndingLikeAFooterDoesNotConfuseIt) {
  // A client may send anything, including text shaped like our footer: it
  // is followed by the real trailer, which is what gets read.
  TestDir dir;
  Envelope fake = test_envelope();
  fake.mail_from = "forged@example.org";
  const std::string body = "x\r\n" + message_trailer(fake);
  Envelope e = test_envelope();
  e.id = "0000000000000000";
  e.size = body.size();
  auto fd = file_with(dir, body + message_trailer(e));
  auto file = read_message_file(fd.get(), "m.msg");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->envelope.mail_from, e.mail_from);
  EXPECT_EQ(file->body_size, body.size());
}

}  // namespace
}  // namespace herald::spool
