// Tests for dkim::header_list: folded fields, malformed sections, bottom-up
// selection and message splitting.
#include "herald/dkim/header_list.hpp"

#include <gtest/gtest.h>

namespace herald::dkim {
namespace {

TEST(HeaderList, ParsesFoldedFields) {
  auto fields =
      parse_header_section("From: a@b\r\nSubject: one\r\n\ttwo\r\n  three\r\nTo : c@d\r\n");
  ASSERT_TRUE(fields.ok()) << fields.error().message;
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[0].name, "From");
  EXPECT_EQ((*fields)[1].raw, "Subject: one\r\n\ttwo\r\n  three\r\n");
  EXPECT_EQ((*fields)[2].name, "To");
}

TEST(HeaderList, StopsAtEmptyLine) {
  auto fields = parse_header_section("A: 1\r\n\r\nB: 2\r\n");
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->size(), 1u);
}

TEST(HeaderList, RefusesMalformedSections) {
  EXPECT_FALSE(parse_header_section(" leading: fold\r\n").ok());
  EXPECT_FALSE(parse_header_section("no colon here\r\n").ok());
  EXPECT_FALSE(parse_header_section("A: bare lf\n").ok());
  EXPECT_FALSE(parse_header_section("A: unterminated").ok());
  EXPECT_FALSE(parse_header_section(": empty name\r\n").ok());
}

TEST(HeaderList, SelectsBottomUpAndOverSigns) {
  auto fields = parse_header_section("Received: 1\r\nFrom: x\r\nReceived: 2\r\nSubject: s\r\n");
  ASSERT_TRUE(fields.ok());
  auto picked = select_fields(*fields, {"received", "RECEIVED", "received", "from", "from"});
  ASSERT_EQ(picked.size(), 5u);
  EXPECT_EQ(picked[0]->raw, "Received: 2\r\n");
  EXPECT_EQ(picked[1]->raw, "Received: 1\r\n");
  EXPECT_EQ(picked[2], nullptr);
  EXPECT_EQ(picked[3]->raw, "From: x\r\n");
  EXPECT_EQ(picked[4], nullptr);
}

TEST(HeaderList, SplitsMessage) {
  auto parts = split_message("A: 1\r\nB: 2\r\n\r\nbody\r\n");
  EXPECT_EQ(parts.header_section, "A: 1\r\nB: 2\r\n");
  EXPECT_EQ(parts.body, "body\r\n");
  auto no_body = split_message("A: 1\r\n");
  EXPECT_EQ(no_body.header_section, "A: 1\r\n");
  EXPECT_EQ(no_body.body, "");
  auto empty_body = split_message("A: 1\r\n\r\n");
  EXPECT_EQ(empty_body.body, "");
}

}  // namespace
}  // namespace herald::dkim
