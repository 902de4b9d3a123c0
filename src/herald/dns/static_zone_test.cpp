#include "herald/dns/static_zone.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::dns {
namespace {

StaticZone parse_ok(const std::vector<std::string>& lines) {
  auto zone = StaticZone::parse(lines);
  EXPECT_TRUE(zone.ok()) << (zone.ok() ? "" : zone.error().message);
  return zone.ok() ? std::move(zone).value() : StaticZone{};
}

std::string parse_error(const std::vector<std::string>& lines) {
  auto zone = StaticZone::parse(lines);
  EXPECT_FALSE(zone.ok());
  return zone.ok() ? "" : zone.error().message;
}

Answer answer_of(const StaticZone& zone, std::string_view name, RecordType type) {
  StaticMatch match = zone.lookup(name, type);
  EXPECT_EQ(match.kind, StaticMatch::Kind::answer) << name;
  return match.answer;
}

TEST(StaticZoneTest, ParsesEveryType) {
  const std::string hash(64, 'a');
  StaticZone zone = parse_ok({
      "example.net. MX 10 mx.example.net.",
      "mx.example.net. A 127.0.0.1",
      "mx.example.net. AAAA ::1",
      R"(_mta-sts.example.net. TXT "v=STSv1; id=1")",
      "_25._tcp.mx.example.net. TLSA 3 1 1 " + hash,
      "www.example.net. CNAME mx.example.net.",
      "example.org. MX 0 .",
  });
  EXPECT_EQ(zone.record_count(), 7u);

  Answer mx = answer_of(zone, "example.net", RecordType::MX);
  EXPECT_EQ(mx.status, Status::ok);
  EXPECT_TRUE(mx.secure);
  ASSERT_EQ(mx.mx.size(), 1u);
  EXPECT_EQ(mx.mx[0], (Mx{10, "mx.example.net"}));

  Answer a = answer_of(zone, "mx.example.net", RecordType::A);
  ASSERT_EQ(a.addresses.size(), 1u);
  EXPECT_EQ(a.addresses[0].to_string(), "127.0.0.1");
  Answer aaaa = answer_of(zone, "mx.example.net", RecordType::AAAA);
  ASSERT_EQ(aaaa.addresses.size(), 1u);
  EXPECT_EQ(aaaa.addresses[0].to_string(), "::1");

  Answer txt = answer_of(zone, "_mta-sts.example.net", RecordType::TXT);
  EXPECT_EQ(txt.txt, std::vector<std::string>{"v=STSv1; id=1"});

  Answer tlsa = answer_of(zone, "_25._tcp.mx.example.net", RecordType::TLSA);
  ASSERT_EQ(tlsa.tlsa.size(), 1u);
  EXPECT_EQ(tlsa.tlsa[0].usage, 3);
  EXPECT_EQ(tlsa.tlsa[0].selector, 1);
  EXPECT_EQ(tlsa.tlsa[0].matching_type, 1);
  EXPECT_EQ(tlsa.tlsa[0].data, std::vector<std::uint8_t>(32, 0xaa));

  Answer cname = answer_of(zone, "www.example.net", RecordType::CNAME);
  EXPECT_EQ(cname.cname, std::vector<std::string>{"mx.example.net"});

  Answer null_mx = answer_of(zone, "example.org", RecordType::MX);
  ASSERT_EQ(null_mx.mx.size(), 1u);
  EXPECT_TRUE(null_mx.mx[0].is_null());
}

TEST(StaticZoneTest, TxtForms) {
  StaticZone zone = parse_ok({
      R"(a.test. TXT "one" "two")",
      R"(b.test. TXT "say \"hi\" \\ ok")",
      "c.test. TXT single-word",
      R"(d.test. TXT "\065BC")",
      R"(e.test. 300 IN TXT "x" ; a comment)",
      R"(e.test. IN 300 TXT "y")",
  });
  EXPECT_EQ(answer_of(zone, "a.test", RecordType::TXT).txt, std::vector<std::string>{"onetwo"});
  EXPECT_EQ(answer_of(zone, "b.test", RecordType::TXT).txt,
            std::vector<std::string>{R"(say "hi" \ ok)"});
  EXPECT_EQ(answer_of(zone, "c.test", RecordType::TXT).txt,
            std::vector<std::string>{"single-word"});
  EXPECT_EQ(answer_of(zone, "d.test", RecordType::TXT).txt, std::vector<std::string>{"ABC"});
  EXPECT_EQ(answer_of(zone, "e.test", RecordType::TXT).txt, (std::vector<std::string>{"x", "y"}));
}

TEST(StaticZoneTest, NamesAreCaseInsensitiveAndTrailingDotOptional) {
  StaticZone zone = parse_ok({"Mail.Example.NET A 192.0.2.1", "other.test. mx 5 MX.Other.Test"});
  EXPECT_EQ(answer_of(zone, "mail.example.net.", RecordType::A).addresses.size(), 1u);
  EXPECT_EQ(answer_of(zone, "MAIL.EXAMPLE.NET", RecordType::A).addresses.size(), 1u);
  EXPECT_EQ(answer_of(zone, "other.test", RecordType::MX).mx[0].exchange, "mx.other.test");
}

TEST(StaticZoneTest, MissingTypeIsNodataAndMissingNameFallsThrough) {
  StaticZone zone = parse_ok({"mx.example.net. A 127.0.0.1"});
  Answer nodata = answer_of(zone, "mx.example.net", RecordType::AAAA);
  EXPECT_EQ(nodata.status, Status::nodata);
  EXPECT_TRUE(nodata.secure);
  EXPECT_EQ(zone.lookup("elsewhere.example", RecordType::A).kind, StaticMatch::Kind::not_in_zone);
  // A parent of a static name is not in the zone.
  EXPECT_EQ(zone.lookup("example.net", RecordType::A).kind, StaticMatch::Kind::not_in_zone);
}

TEST(StaticZoneTest, NamesBelowAStaticNameDoNotExist) {
  StaticZone zone = parse_ok({"mx.example.net. A 127.0.0.1", "example.org. MX 10 mx.example.net."});
  Answer tlsa = answer_of(zone, "_25._tcp.mx.example.net", RecordType::TLSA);
  EXPECT_EQ(tlsa.status, Status::nxdomain);
  EXPECT_TRUE(tlsa.secure);
  EXPECT_EQ(answer_of(zone, "_mta-sts.example.org", RecordType::TXT).status, Status::nxdomain);
  // Siblings and unrelated names still go to the real resolver.
  EXPECT_EQ(zone.lookup("other.example.net", RecordType::A).kind, StaticMatch::Kind::not_in_zone);
}

TEST(StaticZoneTest, FollowsCnameChainsInsideTheZone) {
  StaticZone zone = parse_ok({
      "a.test. CNAME b.test.",
      "b.test. CNAME c.test.",
      "c.test. A 10.0.0.3",
      "out.test. CNAME real.example.",
  });
  Answer a = answer_of(zone, "a.test", RecordType::A);
  EXPECT_EQ(a.status, Status::ok);
  ASSERT_EQ(a.addresses.size(), 1u);
  EXPECT_EQ(a.addresses[0].to_string(), "10.0.0.3");
  EXPECT_EQ(answer_of(zone, "a.test", RecordType::MX).status, Status::nodata);
  EXPECT_EQ(answer_of(zone, "a.test", RecordType::CNAME).cname, std::vector<std::string>{"b.test"});

  StaticMatch out = zone.lookup("out.test", RecordType::A);
  EXPECT_EQ(out.kind, StaticMatch::Kind::follow);
  EXPECT_EQ(out.target, "real.example");
}

TEST(StaticZoneTest, SkipsBlankAndCommentEntries) {
  StaticZone zone = parse_ok({"", "   ", "; just a note", "a.test. A 10.0.0.1"});
  EXPECT_EQ(zone.record_count(), 1u);
}

TEST(StaticZoneTest, ErrorsNameTheEntryAndTheProblem) {
  struct Case {
    std::vector<std::string> lines;
    std::string expected;
  };
  const std::vector<Case> cases{
      {{"a.test. A 10.0.0.1", "b.test. SRV 0 0 25 x."}, "entry 2"},
      {{"b.test. SRV 0 0 25 x."}, "unknown record type \"SRV\""},
      {{"a.test. A ::1"}, "not an IPv4 address"},
      {{"a.test. AAAA 10.0.0.1"}, "not an IPv6 address"},
      {{"a.test. A 10.0.0.1 10.0.0.2"}, "A takes 1 value, found 2"},
      {{"a.test. MX ten mx.test."}, "MX preference \"ten\" is not a number 0-65535"},
      {{"a.test. MX 70000 mx.test."}, "not a number 0-65535"},
      {{"a.test. MX 10"}, "MX takes 2 values"},
      {{"a.test. TXT \"unterminated"}, "unterminated quoted string"},
      {{"a.test. TXT"}, "TXT record has no data"},
      {{"a.test. TLSA 3 1 1 xyz"}, "TLSA data is not hexadecimal"},
      {{"a.test. TLSA 3 1 1"}, "TLSA needs usage"},
      {{"a.test. TLSA 256 1 1 00"}, "TLSA usage"},
      {{"a..test. A 10.0.0.1"}, "empty label"},
      {{"a.test"}, "missing record type"},
      {{"a.test. CNAME ."}, "cannot be the root"},
      {{"a.test. CNAME b.test.", "a.test. A 10.0.0.1"}, "has a CNAME"},
      {{"a.test. A 10.0.0.1", "a.test. CNAME b.test."}, "has other records"},
      {{"a.test. CNAME b.test.", "b.test. CNAME a.test."}, "CNAME loop"},
      {{"a!b.test. A 10.0.0.1"}, "not allowed in a name"},
      {{"\"a.test.\" A 10.0.0.1"}, "must not be quoted"},
  };
  for (const auto& c : cases) {
    const std::string error = parse_error(c.lines);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << "lines[0]: " << c.lines[0] << "\nerror: " << error;
    EXPECT_NE(error.find("[dns] static entry"), std::string::npos) << error;
  }
}

TEST(StaticZoneTest, TlsaHexMayBeSplit) {
  StaticZone zone = parse_ok({"_25._tcp.mx.test. TLSA 3 0 1 ABCD ef01"});
  EXPECT_EQ(answer_of(zone, "_25._tcp.mx.test", RecordType::TLSA).tlsa[0].data,
            (std::vector<std::uint8_t>{0xab, 0xcd, 0xef, 0x01}));
}

}  // namespace
}  // namespace herald::dns
