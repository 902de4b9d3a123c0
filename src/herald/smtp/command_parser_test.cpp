// Tests for smtp::parse_command: the forms real clients send, parameter
// validation, and the exact reply each malformed line gets.
#include "herald/smtp/command_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::smtp {
namespace {

Command ok(std::string_view line, bool utf8 = false) {
  Command c = parse_command(line, utf8);
  EXPECT_TRUE(c.ok()) << line << " -> " << (c.error ? c.error->text : "");
  return c;
}

// Expects a failure with this code and enhanced code; returns the command.
Command bad(std::string_view line, int code, std::string_view enhanced, bool utf8 = false) {
  Command c = parse_command(line, utf8);
  EXPECT_FALSE(c.ok()) << line;
  if (c.error) {
    EXPECT_EQ(c.error->code, code) << line << " -> " << c.error->text;
    EXPECT_EQ(c.error->enhanced, enhanced) << line;
    EXPECT_FALSE(c.error->text.empty());
  }
  return c;
}

TEST(CommandParser, SimpleVerbsAnyCase) {
  EXPECT_EQ(ok("DATA").verb, Verb::data);
  EXPECT_EQ(ok("data").verb, Verb::data);
  EXPECT_EQ(ok("RsEt").verb, Verb::rset);
  EXPECT_EQ(ok("NOOP").verb, Verb::noop);
  EXPECT_EQ(ok("NOOP anything at all").argument, "anything at all");
  EXPECT_EQ(ok("QUIT").verb, Verb::quit);
  EXPECT_EQ(ok("quit now").verb, Verb::quit);
  EXPECT_EQ(ok("HELP").verb, Verb::help);
  EXPECT_EQ(ok("HELP MAIL").argument, "MAIL");
  EXPECT_EQ(ok("STARTTLS").verb, Verb::starttls);
  EXPECT_EQ(ok("starttls").verb, Verb::starttls);
  EXPECT_EQ(ok("DATA  ").verb, Verb::data);  // trailing blanks tolerated
}

TEST(CommandParser, NoArgumentVerbsRefuseArguments) {
  EXPECT_EQ(bad("DATA now", 501, "5.5.4").verb, Verb::data);
  EXPECT_EQ(bad("RSET x", 501, "5.5.4").verb, Verb::rset);
  EXPECT_EQ(bad("STARTTLS please", 501, "5.5.4").verb, Verb::starttls);
}

TEST(CommandParser, Unknown) {
  EXPECT_EQ(bad("FOO", 500, "5.5.2").verb, Verb::unknown);
  bad("", 500, "5.5.2");
  bad("MAILFROM:<a@b.c>", 500, "5.5.2");
  bad("DATAX", 500, "5.5.2");
  bad("GET / HTTP/1.1", 500, "5.5.2");
  bad(" MAIL FROM:<a@b.c>", 500, "5.5.2");
  bad(std::string("DA\0TA", 5), 500, "5.5.2");
}

TEST(CommandParser, EhloHelo) {
  Command c = ok("EHLO client.example.com");
  EXPECT_EQ(c.verb, Verb::ehlo);
  EXPECT_EQ(c.argument, "client.example.com");
  EXPECT_EQ(ok("helo client").verb, Verb::helo);
  EXPECT_EQ(ok("EHLO [192.0.2.1]").argument, "[192.0.2.1]");
  EXPECT_EQ(ok("EHLO [IPv6:::1]").argument, "[IPv6:::1]");
  EXPECT_EQ(ok("EHLO my_pc.lan").argument, "my_pc.lan");
  EXPECT_EQ(bad("EHLO", 501, "5.5.4").verb, Verb::ehlo);
  bad("HELO", 501, "5.5.4");
  bad("EHLO two words", 501, "5.5.4");
  bad("EHLO bad..name", 501, "5.5.4");
  bad("EHLO name.", 501, "5.5.4");
  bad("EHLO [300.1.1.1]", 501, "5.5.4");
  bad("EHLO <x>", 501, "5.5.4");
  bad("EHLO \xC3\xBC.example", 501, "5.5.4");
}

TEST(CommandParser, MailFromForms) {
  Command c = ok("MAIL FROM:<user@example.com>");
  EXPECT_EQ(c.verb, Verb::mail);
  EXPECT_EQ(c.path.address.to_string(), "user@example.com");
  EXPECT_FALSE(c.path.null);
  EXPECT_EQ(ok("mail from:<user@example.com>").path.address.domain, "example.com");
  EXPECT_EQ(ok("MAIL FROM: <user@example.com>").path.address.local_part, "user");
  EXPECT_EQ(ok("MAIL From:<user@example.com>").verb, Verb::mail);
  EXPECT_TRUE(ok("MAIL FROM:<>").path.null);
  EXPECT_EQ(ok("MAIL FROM:<@a.example,@b.example:u@example.com>").path.address.to_string(),
            "u@example.com");
  EXPECT_EQ(ok("MAIL FROM:<\"a b>c\"@example.com>").path.address.local_part, "\"a b>c\"");
  EXPECT_EQ(ok("MAIL FROM:<\"a b\"@example.com> SIZE=10").mail.size, 10u);
}

TEST(CommandParser, MailFromErrors) {
  bad("MAIL", 501, "5.5.4");
  bad("MAIL FROM", 501, "5.5.4");
  bad("MAIL FROM:", 501, "5.5.4");
  bad("MAIL TO:<a@example.com>", 501, "5.5.4");
  bad("MAIL FROM:user@example.com", 501, "5.5.4");
  bad("MAIL FROM:<user@example.com", 501, "5.5.4");
  bad("MAIL FROM:<user@example.com>SIZE=1", 501, "5.5.4");
  bad("MAIL FROM :<user@example.com>", 501, "5.5.4");
  bad("MAIL FROM:<user>", 501, "5.1.7");
  bad("MAIL FROM:<user@example.com.>", 501, "5.1.7");
  bad("MAIL FROM:<j\xC3\xBCrgen@example.com>", 501, "5.1.7");
}

TEST(CommandParser, MailParameters) {
  Command c =
      ok("MAIL FROM:<a@example.com> SIZE=12345 BODY=8BITMIME SMTPUTF8 AUTH=<> RET=HDRS "
         "ENVID=QQ314159");
  EXPECT_EQ(c.mail.size, 12345u);
  EXPECT_EQ(c.mail.body, "8BITMIME");
  EXPECT_TRUE(c.mail.smtputf8);
  EXPECT_EQ(c.mail.auth, "<>");
  EXPECT_EQ(c.mail.ret, "HDRS");
  EXPECT_EQ(c.mail.envid, "QQ314159");
  c = ok("MAIL FROM:<a@example.com>  size=1   body=7bit  ret=full");
  EXPECT_EQ(c.mail.size, 1u);
  EXPECT_EQ(c.mail.body, "7BIT");
  EXPECT_EQ(c.mail.ret, "FULL");
  EXPECT_FALSE(c.mail.smtputf8);
  EXPECT_FALSE(ok("MAIL FROM:<a@example.com>").mail.size.has_value());
}

TEST(CommandParser, MailAuthXtextDecoded) {
  EXPECT_EQ(ok("MAIL FROM:<a@example.com> AUTH=e+3Dmc2@example.com").mail.auth,
            "e=mc2@example.com");
  bad("MAIL FROM:<a@example.com> AUTH=e+3dmc2@example.com", 501, "5.5.4");  // lower hex
  bad("MAIL FROM:<a@example.com> AUTH=e+3", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> AUTH=", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> AUTH", 501, "5.5.4");
}

TEST(CommandParser, MailSizeLimits) {
  EXPECT_EQ(ok("MAIL FROM:<a@example.com> SIZE=0").mail.size, 0u);
  EXPECT_EQ(ok("MAIL FROM:<a@example.com> SIZE=18446744073709551615").mail.size,
            18446744073709551615u);
  // 20 digits over 2^64-1 saturate, to be refused as too big later.
  EXPECT_EQ(ok("MAIL FROM:<a@example.com> SIZE=99999999999999999999").mail.size,
            18446744073709551615u);
  bad("MAIL FROM:<a@example.com> SIZE=999999999999999999999", 501, "5.5.4");  // 21 digits
  bad("MAIL FROM:<a@example.com> SIZE=-1", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> SIZE=1k", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> SIZE", 501, "5.5.4");
}

TEST(CommandParser, MailParameterErrors) {
  bad("MAIL FROM:<a@example.com> FOO=BAR", 555, "5.5.4");
  bad("MAIL FROM:<a@example.com> REQUIRETLS", 555, "5.5.4");
  bad("MAIL FROM:<a@example.com> NOTIFY=NEVER", 555, "5.5.4");
  bad("MAIL FROM:<a@example.com> SIZE=1 SIZE=2", 555, "5.5.4");
  bad("MAIL FROM:<a@example.com> SMTPUTF8 smtputf8", 555, "5.5.4");
  bad("MAIL FROM:<a@example.com> BODY=BINARYMIME", 555, "5.5.4");
  bad("MAIL FROM:<a@example.com> BODY=", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> SMTPUTF8=yes", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> RET=ALL", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> =x", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> -X=1", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> X=a=b", 501, "5.5.4");
  bad("MAIL FROM:<a@example.com> ENVID=" + std::string(101, 'a'), 501, "5.5.4");
  // The unknown keyword is named, but never more than 32 characters of it.
  Command c = bad("MAIL FROM:<a@example.com> " + std::string(200, 'X') + "=1", 555, "5.5.4");
  EXPECT_LT(c.error->text.size(), 100u);
}

TEST(CommandParser, MailUtf8NeedsSmtputf8Parameter) {
  Command c = ok("MAIL FROM:<j\xC3\xBCrgen@b\xC3\xBC\x63her.example> SMTPUTF8");
  EXPECT_EQ(c.path.address.local_part, "j\xC3\xBCrgen");
  bad("MAIL FROM:<j\xC3\xBCrgen@example.com> BODY=8BITMIME", 501, "5.1.7");
  // The RCPT context flag has no say on MAIL: only its own parameter counts.
  bad("MAIL FROM:<j\xC3\xBCrgen@example.com>", 501, "5.1.7", true);
}

TEST(CommandParser, RcptToForms) {
  Command c = ok("RCPT TO:<bob@example.org>");
  EXPECT_EQ(c.verb, Verb::rcpt);
  EXPECT_EQ(c.path.address.to_string(), "bob@example.org");
  EXPECT_EQ(ok("rcpt to: <bob@example.org>").path.address.local_part, "bob");
  EXPECT_EQ(ok("RCPT To:<bob@[192.0.2.7]>").path.address.domain, "[192.0.2.7]");
  bad("RCPT TO:<>", 501, "5.1.3");
  bad("RCPT TO:bob@example.org", 501, "5.5.4");
  bad("RCPT FROM:<bob@example.org>", 501, "5.5.4");
  bad("RCPT", 501, "5.5.4");
  bad("RCPT TO:<bob@example.org> SIZE=10", 555, "5.5.4");
}

TEST(CommandParser, RcptUtf8FollowsTransaction) {
  bad("RCPT TO:<\xC3\xBC@example.org>", 501, "5.1.3", false);
  EXPECT_EQ(ok("RCPT TO:<\xC3\xBC@example.org>", true).path.address.local_part, "\xC3\xBC");
}

TEST(CommandParser, RcptDsnParameters) {
  Command c = ok("RCPT TO:<b@example.org> NOTIFY=success,failure ORCPT=rfc822;b+40example.org");
  EXPECT_EQ(c.rcpt.notify, "SUCCESS,FAILURE");
  EXPECT_EQ(c.rcpt.orcpt, "rfc822;b+40example.org");
  EXPECT_EQ(ok("RCPT TO:<b@example.org> NOTIFY=NEVER").rcpt.notify, "NEVER");
  EXPECT_EQ(ok("RCPT TO:<b@example.org> NOTIFY=DELAY").rcpt.notify, "DELAY");
  bad("RCPT TO:<b@example.org> NOTIFY=NEVER,SUCCESS", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> NOTIFY=SUCCESS,SUCCESS", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> NOTIFY=SOMETIMES", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> NOTIFY=", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> NOTIFY", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> ORCPT=rfc822", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> ORCPT=;b@example.org", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> ORCPT=rfc822;", 501, "5.5.4");
  bad("RCPT TO:<b@example.org> NOTIFY=NEVER NOTIFY=NEVER", 555, "5.5.4");
}

TEST(CommandParser, Bdat) {
  Command c = ok("BDAT 1000");
  EXPECT_EQ(c.verb, Verb::bdat);
  EXPECT_EQ(c.bdat_size, 1000u);
  EXPECT_FALSE(c.bdat_last);
  c = ok("BDAT 0 LAST");
  EXPECT_EQ(c.bdat_size, 0u);
  EXPECT_TRUE(c.bdat_last);
  EXPECT_TRUE(ok("bdat 5 last").bdat_last);
  EXPECT_EQ(ok("BDAT 18446744073709551614").bdat_size, 18446744073709551614u);
  bad("BDAT", 501, "5.5.4");
  bad("BDAT LAST", 501, "5.5.4");
  bad("BDAT -5", 501, "5.5.4");
  bad("BDAT 5 FIRST", 501, "5.5.4");
  bad("BDAT 5 LAST X", 501, "5.5.4");
  bad("BDAT 0x10", 501, "5.5.4");
  bad("BDAT 18446744073709551615", 501, "5.5.4");
  bad("BDAT 99999999999999999999", 501, "5.5.4");
}

TEST(CommandParser, Auth) {
  Command c = ok("AUTH plain");
  EXPECT_EQ(c.verb, Verb::auth);
  EXPECT_EQ(c.argument, "PLAIN");
  EXPECT_FALSE(c.has_auth_initial);
  c = ok("AUTH PLAIN AHVzZXIAcGFzcw==");
  EXPECT_TRUE(c.has_auth_initial);
  EXPECT_EQ(c.auth_initial, "AHVzZXIAcGFzcw==");
  c = ok("AUTH PLAIN =");
  EXPECT_TRUE(c.has_auth_initial);
  EXPECT_EQ(c.auth_initial, "=");
  EXPECT_EQ(ok("AUTH SCRAM-SHA-256").argument, "SCRAM-SHA-256");
  bad("AUTH", 501, "5.5.4");
  bad("AUTH PL@IN", 501, "5.5.4");
  bad("AUTH " + std::string(21, 'A'), 501, "5.5.4");
  bad("AUTH PLAIN abc", 501, "5.5.2");
  bad("AUTH PLAIN ab=c", 501, "5.5.2");
  bad("AUTH PLAIN a===", 501, "5.5.2");
  bad("AUTH PLAIN AHVz ZXIA", 501, "5.5.2");
}

TEST(CommandParser, VrfyExpn) {
  EXPECT_EQ(ok("VRFY postmaster").argument, "postmaster");
  EXPECT_EQ(ok("EXPN staff").verb, Verb::expn);
  bad("VRFY", 501, "5.5.4");
  bad("EXPN", 501, "5.5.4");
}

TEST(CommandParser, VerbNames) {
  EXPECT_EQ(verb_name(Verb::mail), "MAIL");
  EXPECT_EQ(verb_name(Verb::starttls), "STARTTLS");
  EXPECT_EQ(verb_name(Verb::unknown), "unknown");
}

}  // namespace
}  // namespace herald::smtp
