// Tests for smtp::format_reply / format_multiline: exact wire bytes, and no
// way for a reply text to forge an extra line.
#include "herald/smtp/reply.hpp"

#include <gtest/gtest.h>

namespace herald::smtp {
namespace {

TEST(Reply, SingleLine) {
  EXPECT_EQ(format_reply(Reply{250, "2.0.0", "Ok"}), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(format_reply(Reply{220, "", "mx ESMTP"}), "220 mx ESMTP\r\n");
  EXPECT_EQ(format_reply(Reply{354, "", "go ahead"}), "354 go ahead\r\n");
}

TEST(Reply, EmptyText) {
  EXPECT_EQ(format_reply(Reply{334, "", ""}), "334\r\n");
}

TEST(Reply, NoInjectedLines) {
  EXPECT_EQ(format_reply(Reply{550, "5.1.1", "a\r\n250 ok"}), "550 5.1.1 a  250 ok\r\n");
  EXPECT_EQ(format_reply(Reply{550, "5.1.1", std::string("a\0b", 3)}), "550 5.1.1 a b\r\n");
}

TEST(Reply, BadCodeClamped) {
  EXPECT_EQ(format_reply(Reply{42, "", "x"}), "451 x\r\n");
}

TEST(Reply, Multiline) {
  EXPECT_EQ(format_multiline(250, {"mx greets c", "PIPELINING", "SIZE 10"}),
            "250-mx greets c\r\n250-PIPELINING\r\n250 SIZE 10\r\n");
  EXPECT_EQ(format_multiline(250, {"one"}), "250 one\r\n");
  EXPECT_EQ(format_multiline(250, {}), "250\r\n");
  EXPECT_EQ(format_multiline(250, {"a\nb"}), "250 a b\r\n");
}

}  // namespace
}  // namespace herald::smtp
