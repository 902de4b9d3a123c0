#include "herald/dns/rdata.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace herald::dns {
namespace {

using Wire = std::vector<std::uint8_t>;

// "mx.Example.net" in wire form, for building records by hand.
Wire name_wire(std::initializer_list<std::string_view> labels) {
  Wire wire;
  for (auto label : labels) {
    wire.push_back(static_cast<std::uint8_t>(label.size()));
    wire.insert(wire.end(), label.begin(), label.end());
  }
  wire.push_back(0);
  return wire;
}

Wire concat(Wire a, const Wire& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(RdataTest, ParsesA) {
  auto a = parse_a(Wire{192, 0, 2, 7});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->to_string(), "192.0.2.7");
  EXPECT_FALSE(parse_a(Wire{1, 2, 3}).ok());
  EXPECT_FALSE(parse_a(Wire{1, 2, 3, 4, 5}).ok());
}

TEST(RdataTest, ParsesAaaa) {
  Wire wire(16, 0);
  wire[0] = 0x20;
  wire[1] = 0x01;
  wire[2] = 0x0d;
  wire[3] = 0xb8;
  wire[15] = 1;
  auto aaaa = parse_aaaa(wire);
  ASSERT_TRUE(aaaa.ok());
  EXPECT_EQ(aaaa->to_string(), "2001:db8::1");
  wire.pop_back();
  EXPECT_FALSE(parse_aaaa(wire).ok());
  EXPECT_FALSE(parse_aaaa(Wire{}).ok());
}

TEST(RdataTest, ParsesMxAndLowercases) {
  auto mx = parse_mx(concat({0, 10}, name_wire({"MX", "Example", "net"})));
  ASSERT_TRUE(mx.ok()) << mx.error().message;
  EXPECT_EQ(mx->preference, 10);
  EXPECT_EQ(mx->exchange, "mx.example.net");
  EXPECT_FALSE(mx->is_null());
}

TEST(RdataTest, ParsesNullMx) {
  auto mx = parse_mx(Wire{0, 0, 0});
  ASSERT_TRUE(mx.ok());
  EXPECT_EQ(mx->exchange, ".");
  EXPECT_TRUE(mx->is_null());
}

TEST(RdataTest, RejectsMalformedMx) {
  EXPECT_FALSE(parse_mx(Wire{}).ok());
  EXPECT_FALSE(parse_mx(Wire{0, 10}).ok());
  EXPECT_FALSE(parse_mx(Wire{0, 10, 5, 'a', 'b'}).ok());          // label runs past the end
  EXPECT_FALSE(parse_mx(Wire{0, 10, 2, 'a', 'b'}).ok());          // no root label
  EXPECT_FALSE(parse_mx(Wire{0, 10, 0xc0, 0x0c}).ok());           // compression pointer
  EXPECT_FALSE(parse_mx(Wire{0, 10, 1, 'a', 0, 7}).ok());         // trailing byte
  EXPECT_FALSE(parse_mx(Wire{0, 10, 3, 'a', '.', 'b', 0}).ok());  // dot inside a label
  EXPECT_FALSE(parse_mx(Wire{0, 10, 2, 'a', 0, 0}).ok());         // NUL byte in a label
}

TEST(RdataTest, RejectsOverlongNames) {
  Wire label64(1, 64);
  label64.insert(label64.end(), 64, 'a');
  label64.push_back(0);
  EXPECT_FALSE(parse_cname(label64).ok());

  Wire long_name;  // 5 labels of 63 = 320 octets
  for (int i = 0; i < 5; ++i) {
    long_name.push_back(63);
    long_name.insert(long_name.end(), 63, 'a');
  }
  long_name.push_back(0);
  EXPECT_FALSE(parse_cname(long_name).ok());
}

TEST(RdataTest, ParsesWireNameAtOffset) {
  Wire wire = concat({9, 9}, name_wire({"a", "b"}));
  wire.push_back(42);
  std::size_t offset = 2;
  auto name = parse_wire_name(wire, offset);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "a.b");
  EXPECT_EQ(offset, wire.size() - 1);
}

TEST(RdataTest, ParsesTxtJoiningStrings) {
  Wire wire{5, 'v', '=', 'S', 'T', 'S', 7, 'v', '1', ';', ' ', 'i', 'd', '='};
  auto txt = parse_txt(wire);
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(*txt, "v=STSv1; id=");
  auto empty_string = parse_txt(Wire{0});
  ASSERT_TRUE(empty_string.ok());
  EXPECT_EQ(*empty_string, "");
}

TEST(RdataTest, RejectsMalformedTxt) {
  EXPECT_FALSE(parse_txt(Wire{}).ok());
  EXPECT_FALSE(parse_txt(Wire{3, 'a', 'b'}).ok());
  EXPECT_FALSE(parse_txt(Wire{1, 'a', 2, 'b'}).ok());
}

TEST(RdataTest, ParsesTlsa) {
  auto tlsa = parse_tlsa(Wire{3, 1, 1, 0xab, 0xcd});
  ASSERT_TRUE(tlsa.ok());
  EXPECT_EQ(tlsa->usage, 3);
  EXPECT_EQ(tlsa->selector, 1);
  EXPECT_EQ(tlsa->matching_type, 1);
  EXPECT_EQ(tlsa->data, (std::vector<std::uint8_t>{0xab, 0xcd}));
  EXPECT_FALSE(parse_tlsa(Wire{3, 1, 1}).ok());
  EXPECT_FALSE(parse_tlsa(Wire{}).ok());
}

TEST(RdataTest, ParsesCname) {
  auto cname = parse_cname(name_wire({"X", "example", "net"}));
  ASSERT_TRUE(cname.ok());
  EXPECT_EQ(*cname, "x.example.net");
}

TEST(RdataTest, AppendRdataFillsTheMatchingVector) {
  Answer answer;
  ASSERT_TRUE(append_rdata(RecordType::A, Wire{127, 0, 0, 1}, answer).ok());
  ASSERT_TRUE(append_rdata(RecordType::TXT, Wire{2, 'h', 'i'}, answer).ok());
  ASSERT_TRUE(append_rdata(RecordType::MX, Wire{0, 5, 0}, answer).ok());
  EXPECT_EQ(answer.addresses.size(), 1u);
  EXPECT_EQ(answer.txt, std::vector<std::string>{"hi"});
  EXPECT_EQ(answer.mx.size(), 1u);
  EXPECT_FALSE(append_rdata(RecordType::AAAA, Wire{127, 0, 0, 1}, answer).ok());
  EXPECT_EQ(answer.size(), 3u);
}

// Every prefix of every valid record must parse or fail cleanly (ASan
// would catch a read past the end).
TEST(RdataTest, TruncationsNeverCrash) {
  const std::vector<std::pair<RecordType, Wire>> samples{
      {RecordType::MX, concat({0, 10}, name_wire({"mx", "example", "net"}))},
      {RecordType::TXT, Wire{3, 'a', 'b', 'c', 2, 'd', 'e'}},
      {RecordType::TLSA, Wire{3, 1, 1, 1, 2, 3}},
      {RecordType::CNAME, name_wire({"a", "b", "c"})},
  };
  for (const auto& [type, wire] : samples) {
    for (std::size_t n = 0; n < wire.size(); ++n) {
      Answer answer;
      auto result = append_rdata(type, std::span(wire.data(), n), answer);
      if (!result.ok()) {
        EXPECT_EQ(answer.size(), 0u);
      }
    }
  }
}

}  // namespace
}  // namespace herald::dns
