#include "herald/mail/encoded_word.hpp"

#include <gtest/gtest.h>

#include "herald/mail/header_block.hpp"

namespace herald::mail {
namespace {

TEST(EncodedWord, DecodesBAndQ) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?B?Y2VvQGJhbmsuY29t?="), "ceo@bank.com");
  EXPECT_EQ(decode_encoded_words("=?UTF-8?q?ceo=40bank.com?="), "ceo@bank.com");
  EXPECT_EQ(decode_encoded_words("=?iso-8859-1?Q?J=F6rg_M?="), "J\xC3\xB6rg M");
  EXPECT_EQ(decode_encoded_words("Plain Name"), "Plain Name");
}

TEST(EncodedWord, AdjacentWordsJoinAndTextKeepsSpaces) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?ceo?= =?utf-8?q?=40bank.com?="), "ceo@bank.com");
  EXPECT_EQ(decode_encoded_words("Mr =?utf-8?q?X?= Smith"), "Mr X Smith");
}

TEST(EncodedWord, MalformedStaysAsWritten) {
  EXPECT_EQ(decode_encoded_words("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(decode_encoded_words("=?utf-8?Q?=ZZ?="), "=?utf-8?Q?=ZZ?=");
  EXPECT_EQ(decode_encoded_words("=?utf-8?B?abc"), "=?utf-8?B?abc");
}

TEST(Mailboxes, DisplayNamesAreKept) {
  auto m =
      parse_mailbox_list("\"ceo@bank.com\" <x@evil.example>, Bob <bob@acme.example>, c@d.example");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].display_name, "ceo@bank.com");
  EXPECT_EQ((*m)[0].address, "x@evil.example");
  EXPECT_EQ((*m)[1].display_name, "Bob");
  EXPECT_EQ((*m)[2].display_name, "");
  auto q = parse_mailbox_list("\"A \\\"B\\\" C\" (comment) <a@b.example>");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)[0].display_name, "A \"B\" C");
}

}  // namespace
}  // namespace herald::mail

#include "herald/mail/date.hpp"

namespace herald::mail {
namespace {

TEST(Date, Rfc5322) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(1795445000), "Mon, 23 Nov 2026 14:43:20 +0000");
}

}  // namespace
}  // namespace herald::mail
