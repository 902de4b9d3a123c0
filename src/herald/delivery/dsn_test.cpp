// Tests for delivery::build_dsn and the NOTIFY rules: the output is parsed
// back with a small MIME reader and checked for structure (CRLF only,
// short lines, balanced boundaries) and for injection from remote replies,
// addresses, ENVID and ORCPT. HERALD_DSN_SAMPLE=path makes one test write
// its DSN there for the Python email-parser check (test_dsn_format.py).
#include "herald/delivery/dsn.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace herald::delivery {
namespace {

constexpr std::string_view kHeader =
    "From: app@acme.example\r\n"
    "To: bob@example.net\r\n"
    "Subject: quarterly report\r\n"
    "Message-ID: <m1@acme.example>\r\n";
constexpr std::string_view kBody = "Hello Bob,\r\nthe numbers are in.\r\n";

// A field block: lower-case names to unfolded values (first one wins,
// duplicates counted).
struct Fields {
  std::map<std::string, std::string> values;
  std::map<std::string, int> counts;
  bool has(const std::string& name) const { return values.count(name) > 0; }
  std::string get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
};

std::vector<std::string> lines_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto end = s.find("\r\n", pos);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

// Parses "Name: value" lines with continuation lines; fails the test on
// anything that is not a well-formed field.
Fields parse_fields(std::string_view block) {
  Fields f;
  std::string name;
  for (const auto& line : lines_of(block)) {
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      EXPECT_FALSE(name.empty()) << "continuation without a field: " << line;
      f.values[name] += line;
      continue;
    }
    auto colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "not a header field: " << line;
    if (colon == std::string::npos) continue;
    name = line.substr(0, colon);
    for (char c : name) EXPECT_TRUE(c > 0x20 && c < 0x7f) << "bad field name: " << line;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    ++f.counts[name];
    if (f.counts[name] == 1) f.values[name] = line.substr(colon + 1);
  }
  for (auto& [n, v] : f.values) {
    auto first = v.find_first_not_of(" \t");
    v = first == std::string::npos ? "" : v.substr(first);
  }
  return f;
}

// Text with line breaks and runs of spaces collapsed, as a reader sees it.
std::string flat(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\r' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

struct Part {
  Fields headers;
  std::string body;
};

struct Parsed {
  Fields headers;
  std::string boundary;
  std::vector<Part> parts;
};

// Checks the invariants every DSN must keep, then splits it into parts.
Parsed parse_dsn(const std::string& msg) {
  Parsed p;
  for (std::size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      EXPECT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
    }
    if (msg[i] == '\r') {
      EXPECT_TRUE(i + 1 < msg.size() && msg[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  for (const auto& line : lines_of(msg)) EXPECT_LT(line.size(), 998u) << line.substr(0, 80);
  EXPECT_TRUE(msg.ends_with("\r\n"));
  auto blank = msg.find("\r\n\r\n");
  EXPECT_NE(blank, std::string::npos);
  p.headers = parse_fields(std::string_view(msg).substr(0, blank + 2));
  for (auto& [name, n] : p.headers.counts) EXPECT_EQ(n, 1) << "duplicate header " << name;
  const std::string ct = p.headers.get("content-type");
  auto b = ct.find("boundary=\"");
  EXPECT_NE(b, std::string::npos) << ct;
  if (b == std::string::npos) return p;
  p.boundary = ct.substr(b + 10, ct.find('"', b + 10) - b - 10);
  const std::string delim = "\r\n--" + p.boundary;
  // Exactly three parts and one close; the boundary appears nowhere else.
  std::size_t count = 0;
  for (auto at = msg.find(p.boundary); at != std::string::npos; at = msg.find(p.boundary, at + 1))
    ++count;
  EXPECT_EQ(count, 5u);  // header parameter, three delimiters, close
  EXPECT_TRUE(msg.ends_with(delim + "--\r\n"));
  std::size_t pos = msg.find(delim, blank);
  while (pos != std::string::npos) {
    std::size_t start = pos + delim.size();
    if (msg.compare(start, 2, "--") == 0) break;
    EXPECT_EQ(msg.compare(start, 2, "\r\n"), 0);
    start += 2;
    std::size_t next = msg.find(delim, start);
    std::string part = msg.substr(start, next - start);
    auto hb = part.find("\r\n\r\n");
    EXPECT_NE(hb, std::string::npos);
    p.parts.push_back({parse_fields(part.substr(0, hb + 2)), part.substr(hb + 4)});
    pos = next;
  }
  return p;
}

// The delivery-status body: per-message block, then one per recipient.
std::vector<Fields> status_groups(const Part& part) {
  std::vector<Fields> out;
  std::string body = part.body;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find("\r\n\r\n", pos);
    if (end == std::string::npos) end = body.size();
    out.push_back(parse_fields(std::string_view(body).substr(pos, end + 2 - pos)));
    pos = end + 4;
  }
  return out;
}

smtp::ServerReply reply(int code, std::string enhanced, std::vector<std::string> lines) {
  smtp::ServerReply r;
  r.code = code;
  r.enhanced = std::move(enhanced);
  r.lines = std::move(lines);
  return r;
}

DsnOptions options() {
  DsnOptions o;
  o.reporting_mta = "mx.test.example";
  o.now = 1795000000;
  return o;
}

DsnOriginal original(DsnReturn ret = DsnReturn::headers) {
  DsnOriginal m;
  m.sender = "app@acme.example";
  m.ret = ret;
  m.arrival = 1794990000;
  m.queue_id = "q1a2b3c4d5";
  m.header = kHeader;
  m.body = kBody;
  m.size = kHeader.size() + 2 + kBody.size();
  return m;
}

DsnRecipient failed_rcpt(std::string address = "bob@example.net") {
  DsnRecipient r;
  r.final_recipient = std::move(address);
  r.action = DsnAction::failed;
  r.status = "5.1.1";
  r.remote_mta = "mx.example.net";
  r.remote_reply = reply(550, "5.1.1", {"<bob@example.net>: user unknown"});
  r.last_attempt = 1794995000;
  return r;
}

TEST(Dsn, FailedHeadersOnly) {
  auto dsn = build_dsn(options(), original(), {failed_rcpt()});
  ASSERT_TRUE(dsn.ok()) << dsn.error().message;
  Parsed p = parse_dsn(dsn->message);
  EXPECT_EQ(p.headers.get("from"), "\"Mail Delivery System\" <MAILER-DAEMON@mx.test.example>");
  EXPECT_EQ(p.headers.get("to"), "<app@acme.example>");
  EXPECT_EQ(p.headers.get("subject"), "Undelivered Mail Returned to Sender");
  EXPECT_EQ(p.headers.get("auto-submitted"), "auto-replied");
  EXPECT_EQ(p.headers.get("mime-version"), "1.0");
  EXPECT_EQ(p.headers.get("message-id"), dsn->message_id);
  EXPECT_TRUE(p.headers.get("date").starts_with("Wed, 18 Nov 2026"));
  EXPECT_NE(p.headers.get("content-type").find("multipart/report; report-type=delivery-status"),
            std::string::npos);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(p.parts[0].headers.get("content-type"), "text/plain; charset=us-ascii");
  EXPECT_NE(p.parts[0].body.find("<bob@example.net>:"), std::string::npos);
  EXPECT_NE(flat(p.parts[0].body).find("550 5.1.1 <bob@example.net>: user unknown"),
            std::string::npos);
  EXPECT_EQ(p.parts[1].headers.get("content-type"), "message/delivery-status");
  auto groups = status_groups(p.parts[1]);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].get("reporting-mta"), "dns; mx.test.example");
  EXPECT_TRUE(groups[0].has("arrival-date"));
  EXPECT_FALSE(groups[0].has("original-envelope-id"));
  EXPECT_EQ(groups[1].get("final-recipient"), "rfc822; bob@example.net");
  EXPECT_EQ(groups[1].get("action"), "failed");
  EXPECT_EQ(groups[1].get("status"), "5.1.1");
  EXPECT_EQ(groups[1].get("remote-mta"), "dns; mx.example.net");
  EXPECT_EQ(groups[1].get("diagnostic-code"), "smtp; 550 5.1.1 <bob@example.net>: user unknown");
  EXPECT_TRUE(groups[1].has("last-attempt-date"));
  EXPECT_FALSE(groups[1].has("original-recipient"));
  EXPECT_EQ(p.parts[2].headers.get("content-type"), "text/rfc822-headers");
  EXPECT_EQ(p.parts[2].body, std::string(kHeader));
  EXPECT_FALSE(dsn->full);
  EXPECT_FALSE(dsn->eight_bit);
}

TEST(Dsn, RetFullReturnsWholeMessageUnderCapOnly) {
  auto full = build_dsn(options(), original(DsnReturn::full), {failed_rcpt()});
  ASSERT_TRUE(full.ok());
  Parsed p = parse_dsn(full->message);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_TRUE(full->full);
  EXPECT_EQ(p.parts[2].headers.get("content-type"), "message/rfc822");
  EXPECT_EQ(p.parts[2].body, std::string(kHeader) + "\r\n" + std::string(kBody));

  DsnOptions small = options();
  small.full_cap = 40;  // the message is bigger: headers only
  auto capped = build_dsn(small, original(DsnReturn::full), {failed_rcpt()});
  ASSERT_TRUE(capped.ok());
  EXPECT_FALSE(capped->full);
  EXPECT_EQ(parse_dsn(capped->message).parts[2].headers.get("content-type"), "text/rfc822-headers");

  DsnOriginal no_body = original(DsnReturn::full);
  no_body.body.reset();  // the caller did not read it (too big)
  auto unread = build_dsn(options(), no_body, {failed_rcpt()});
  ASSERT_TRUE(unread.ok());
  EXPECT_FALSE(unread->full);
  EXPECT_EQ(parse_dsn(unread->message).parts[2].body, std::string(kHeader));

  DsnOriginal bare_lf = original(DsnReturn::full);
  bare_lf.body = std::string_view("one\ntwo\r\n");  // not sendable as is
  auto fallback = build_dsn(options(), bare_lf, {failed_rcpt()});
  ASSERT_TRUE(fallback.ok());
  EXPECT_FALSE(fallback->full);
}

TEST(Dsn, NulNeverComesBack) {
  // A message spooled by an older version may hold NUL octets; a DSN must
  // carry none (a receiver that drops them could see an end of data).
  using namespace std::string_literals;
  static const std::string body = "one\r\n\0.\r\nMAIL FROM:<x@example.org>\r\n"s;
  static const std::string header = "Subject: a\0b\r\nFrom: <a@example.org>\r\n"s;
  DsnOriginal o = original(DsnReturn::full);
  o.body = std::string_view(body);
  o.header = header;
  auto dsn = build_dsn(options(), o, {failed_rcpt()});
  ASSERT_TRUE(dsn.ok());
  EXPECT_FALSE(dsn->full);  // headers only
  EXPECT_EQ(dsn->message.find('\0'), std::string::npos);
  EXPECT_NE(dsn->message.find("Subject: ab\r\n"), std::string::npos);
}

TEST(Dsn, EightBitContentIsDeclared) {
  DsnOriginal m = original(DsnReturn::full);
  const std::string body =
      "Gr\xc3\xbc\xc3\x9f"
      "e\r\n";
  m.body = body;
  auto dsn = build_dsn(options(), m, {failed_rcpt()});
  ASSERT_TRUE(dsn.ok());
  EXPECT_TRUE(dsn->eight_bit);
  Parsed p = parse_dsn(dsn->message);
  EXPECT_EQ(p.headers.get("content-transfer-encoding"), "8bit");
  EXPECT_EQ(p.parts[2].headers.get("content-transfer-encoding"), "8bit");
}

TEST(Dsn, RemoteReplyCannotInjectHeadersOrParts) {
  DsnOptions o = options();
  o.boundary = "fixed-boundary";
  DsnOriginal m = original(DsnReturn::full);
  const std::string body = "--fixed-boundary\r\nContent-Type: text/html\r\n\r\nhi\r\n";
  m.body = body;
  DsnRecipient r = failed_rcpt();
  r.remote_reply = reply(550, "5.1.1",
                         {"oops\r\nBcc: x@evil.example", "--fixed-boundary--",
                          "caf\xc3\xa9 \x1b[31m\x7f end", "\r\n\r\nX-Injected: 1"});
  r.remote_mta = "mx.example.net\r\nBcc: y@evil.example";
  auto dsn = build_dsn(o, m, {r});
  ASSERT_TRUE(dsn.ok());
  EXPECT_NE(dsn->boundary, "fixed-boundary");
  Parsed p = parse_dsn(dsn->message);
  ASSERT_EQ(p.parts.size(), 3u);
  for (const auto& line : lines_of(dsn->message)) {
    EXPECT_FALSE(line.starts_with("Bcc:")) << line;
    EXPECT_FALSE(line.starts_with("X-Injected")) << line;
  }
  auto groups = status_groups(p.parts[1]);
  ASSERT_EQ(groups.size(), 2u);
  const std::string diag = groups[1].get("diagnostic-code");
  EXPECT_TRUE(diag.starts_with("smtp; 550 5.1.1 oops??Bcc: x@evil.example --fixed-boundary-- caf"))
      << diag;
  for (unsigned char c : diag) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
  EXPECT_EQ(groups[1].get("remote-mta"), "dns; mx.example.netBcc:yevil.example");
  // The status part holds only what we wrote: its groups have no strays.
  EXPECT_FALSE(groups[1].has("bcc"));
  EXPECT_FALSE(groups[1].has("x-injected"));
}

TEST(Dsn, LongDiagnosticIsFoldedUnder998) {
  DsnRecipient r = failed_rcpt();
  std::string words;
  for (int i = 0; i < 200; ++i) words += "word" + std::to_string(i) + " ";
  r.remote_reply = reply(550, "5.7.1", {words, std::string(3000, 'x')});
  auto dsn = build_dsn(options(), original(), {r});
  ASSERT_TRUE(dsn.ok());
  Parsed p = parse_dsn(dsn->message);  // checks every line < 998
  auto groups = status_groups(p.parts[1]);
  const std::string diag = groups[1].get("diagnostic-code");
  EXPECT_NE(diag.find("word0 word1"), std::string::npos);
  EXPECT_TRUE(diag.ends_with("...")) << diag.substr(diag.size() - 20);
  for (const auto& line : lines_of(p.parts[1].body)) EXPECT_LE(line.size(), 990u);
}

TEST(Dsn, AddressesEnvidAndOrcptAreDecodedOrNeutralized) {
  DsnOriginal m = original();
  m.envid = "batch+2B42";
  m.sender = "app@acme.example>\r\nBcc: evil@x.example";
  DsnRecipient a = failed_rcpt("carol@example.net");
  a.orcpt = "rfc822;Carol+2Bsales@Example.net";
  DsnRecipient b = failed_rcpt("dave@example.net\r\nBcc: evil@x.example");
  b.orcpt = "rfc822;x+0D+0ABcc:+20evil@x.example";
  DsnRecipient c = failed_rcpt("j\xc3\xb8rn@example.net");
  c.orcpt = "bad type;ok@example.net";
  auto dsn = build_dsn(options(), m, {a, b, c});
  ASSERT_TRUE(dsn.ok());
  Parsed p = parse_dsn(dsn->message);
  for (const auto& line : lines_of(dsn->message)) EXPECT_FALSE(line.starts_with("Bcc:")) << line;
  EXPECT_EQ(p.headers.get("to"), "<app@acme.example>??Bcc: evil@x.example>");
  auto groups = status_groups(p.parts[1]);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].get("original-envelope-id"), "batch+42");
  EXPECT_EQ(groups[1].get("original-recipient"), "rfc822; Carol+sales@Example.net");
  EXPECT_EQ(groups[2].get("original-recipient"), "rfc822; x+0D+0ABcc:+20evil@x.example");
  EXPECT_EQ(groups[2].get("final-recipient"),
            "utf-8; dave@example.net\\x{D}\\x{A}Bcc:\\x{20}evil@x.example");
  EXPECT_EQ(groups[3].get("final-recipient"), "utf-8; j\\x{F8}rn@example.net");
  EXPECT_EQ(groups[3].get("original-recipient"), "rfc822; ok@example.net");

  m.envid = "x+0D+0ABcc:+20y";
  auto bad_envid = build_dsn(options(), m, {a});
  ASSERT_TRUE(bad_envid.ok());
  EXPECT_EQ(status_groups(parse_dsn(bad_envid->message).parts[1])[0].get("original-envelope-id"),
            "x+0D+0ABcc:+20y");
}

TEST(Dsn, DelayedAndMixedReports) {
  DsnRecipient d;
  d.final_recipient = "slow@example.org";
  d.action = DsnAction::delayed;
  d.status = "4.4.1";
  d.local_diagnostic = "connection to mx.example.org timed out";
  d.last_attempt = 1794999000;
  d.will_retry_until = 1795400000;
  auto delayed = build_dsn(options(), original(), {d});
  ASSERT_TRUE(delayed.ok());
  Parsed p = parse_dsn(delayed->message);
  EXPECT_EQ(p.headers.get("subject"), "Delayed Mail (still being retried)");
  auto groups = status_groups(p.parts[1]);
  EXPECT_EQ(groups[1].get("action"), "delayed");
  EXPECT_EQ(groups[1].get("diagnostic-code"), "X-Herald; connection to mx.example.org timed out");
  EXPECT_TRUE(groups[1].has("will-retry-until"));
  EXPECT_NE(flat(p.parts[0].body).find("keeps retrying"), std::string::npos);

  DsnRecipient f = failed_rcpt();
  f.will_retry_until = 1795400000;  // meaningless for a failure: left out
  DsnRecipient ok;
  ok.final_recipient = "eve@example.com";
  ok.action = DsnAction::delivered;
  ok.status = "bogus";  // replaced by a status matching the action
  auto mixed = build_dsn(options(), original(), {d, f, ok});
  ASSERT_TRUE(mixed.ok());
  p = parse_dsn(mixed->message);
  EXPECT_EQ(p.headers.get("subject"), "Undelivered Mail Returned to Sender");
  groups = status_groups(p.parts[1]);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[2].get("action"), "failed");
  EXPECT_FALSE(groups[2].has("will-retry-until"));
  EXPECT_EQ(groups[3].get("action"), "delivered");
  EXPECT_EQ(groups[3].get("status"), "2.0.0");
  EXPECT_FALSE(groups[3].has("diagnostic-code"));
  for (const char* addr : {"slow@example.org", "bob@example.net", "eve@example.com"}) {
    EXPECT_NE(p.parts[0].body.find(addr), std::string::npos) << addr;
  }

  ok.status = "2.0.0";
  auto success = build_dsn(options(), original(), {ok});
  ASSERT_TRUE(success.ok());
  EXPECT_EQ(parse_dsn(success->message).headers.get("subject"), "Successful Mail Delivery Report");
}

TEST(Dsn, RefusesNullSenderAndNoRecipients) {
  DsnOriginal m = original();
  m.sender.clear();
  EXPECT_FALSE(build_dsn(options(), m, {failed_rcpt()}).ok());
  EXPECT_FALSE(build_dsn(options(), original(), {}).ok());
}

TEST(Dsn, BoundaryIsRandomAndMessageIdsDiffer) {
  auto a = build_dsn(options(), original(), {failed_rcpt()});
  auto b = build_dsn(options(), original(), {failed_rcpt()});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->boundary, b->boundary);
  EXPECT_NE(a->message_id, b->message_id);
  EXPECT_TRUE(a->boundary.starts_with("=_herald_"));
  DsnOptions o = options();
  o.boundary = "bad boundary\r\nX: y";  // not a MIME boundary: a random one instead
  auto c = build_dsn(o, original(), {failed_rcpt()});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->boundary.starts_with("=_herald_"));
  EXPECT_EQ(parse_dsn(c->message).parts.size(), 3u);
}

TEST(Dsn, HeaderSectionWithBareLineEndsAndHugeLines) {
  DsnOriginal m = original();
  const std::string header =
      "Subject: a\nX-Long: " + std::string(2500, 'y') + "\r\n\r\nX-After-Blank: 1\r\n";
  m.header = header;
  auto dsn = build_dsn(options(), m, {failed_rcpt()});
  ASSERT_TRUE(dsn.ok());
  Parsed p = parse_dsn(dsn->message);
  const Fields copy = parse_fields(p.parts[2].body);
  EXPECT_EQ(copy.get("subject"), "a");
  std::string long_value = copy.get("x-long");  // folded: the fold added spaces
  std::erase(long_value, ' ');
  EXPECT_EQ(long_value, std::string(2500, 'y'));
  EXPECT_TRUE(copy.has("x-after-blank"));
}

TEST(Xtext, RoundTripAndStrictness) {
  const std::string raw = "a+b=c d\r\n\xff~!";
  EXPECT_EQ(xtext_encode(raw), "a+2Bb+3Dc+20d+0D+0A+FF~!");
  EXPECT_EQ(xtext_decode(xtext_encode(raw)), raw);
  EXPECT_FALSE(xtext_decode("a+2b").has_value());  // lower-case hex
  EXPECT_FALSE(xtext_decode("a+2").has_value());
  EXPECT_FALSE(xtext_decode("a=b").has_value());
  EXPECT_FALSE(xtext_decode("a b").has_value());
  EXPECT_EQ(xtext_decode(""), std::string());
}

TEST(Dsn, ParseReturnAndSplit) {
  EXPECT_EQ(parse_dsn_return("FULL"), DsnReturn::full);
  EXPECT_EQ(parse_dsn_return("full"), DsnReturn::full);
  EXPECT_EQ(parse_dsn_return("HDRS"), DsnReturn::headers);
  EXPECT_EQ(parse_dsn_return(""), DsnReturn::headers);
  auto parts = split_message("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore\r\n");
  EXPECT_EQ(parts.header, "A: 1\r\nB: 2\r\n");
  EXPECT_EQ(parts.body, "body\r\n\r\nmore\r\n");
  EXPECT_EQ(split_message("A: 1\r\n").body, "");
  EXPECT_EQ(split_message("\r\nbody").header, "");
}

TEST(Notify, Matrix) {
  const std::string sender = "app@acme.example";
  struct Case {
    const char* notify;
    bool failed, delayed, success;
  };
  const Case cases[] = {
      {"", true, false, false},
      {"NEVER", false, false, false},
      {"FAILURE", true, false, false},
      {"DELAY", false, true, false},
      {"SUCCESS", false, false, true},
      {"SUCCESS,FAILURE", true, false, true},
      {"FAILURE,DELAY", true, true, false},
      {"SUCCESS,FAILURE,DELAY", true, true, true},
      {"failure, delay", true, true, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.notify);
    EXPECT_EQ(wants_dsn(c.notify, DsnAction::failed, sender), c.failed);
    EXPECT_EQ(wants_dsn(c.notify, DsnAction::delayed, sender), c.delayed);
    EXPECT_EQ(wants_dsn(c.notify, DsnAction::delivered, sender), c.success);
    EXPECT_EQ(wants_dsn(c.notify, DsnAction::relayed, sender), c.success);
    EXPECT_EQ(wants_dsn(c.notify, DsnAction::expanded, sender), c.success);
    // Never to the null sender, whatever was asked.
    for (auto a : {DsnAction::failed, DsnAction::delayed, DsnAction::delivered}) {
      EXPECT_FALSE(wants_dsn(c.notify, a, ""));
    }
  }
}

// Writes a DSN full of hostile input for tests/integration/test_dsn_format.py.
TEST(DsnSample, WritesSampleForPythonCheck) {
  DsnOriginal m = original(DsnReturn::full);
  m.envid = "batch+2B42";
  DsnRecipient a = failed_rcpt();
  a.orcpt = "rfc822;Bob+2Bx@example.net";
  a.remote_reply = reply(550, "5.1.1",
                         {"oops\r\nBcc: x@evil.example", "--=_herald_ fake\r\n\r\nX-Injected: 1",
                          "\xc3\xa9t\xc3\xa9 " + std::string(1200, 'z')});
  DsnRecipient d;
  d.final_recipient = "slow@example.org";
  d.action = DsnAction::delayed;
  d.status = "4.4.1";
  d.local_diagnostic = "no answer\r\nX-Injected: 2";
  d.will_retry_until = 1795400000;
  auto dsn = build_dsn(options(), m, {a, d});
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(parse_dsn(dsn->message).parts.size(), 3u);
  const char* path = std::getenv("HERALD_DSN_SAMPLE");
  if (path == nullptr || *path == '\0') return;
  std::ofstream out(path, std::ios::binary);
  out << dsn->message;
  ASSERT_TRUE(out.good()) << "could not write " << path;
}

}  // namespace
}  // namespace herald::delivery
