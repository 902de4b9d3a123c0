// Tests for events::parse_webhook_url: the accepted forms and each refusal,
// which must come back as ErrorKind::invalid without echoing the URL.
#include "herald/events/webhook_url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::events {
namespace {

WebhookUrl ok(std::string_view url, bool allow_private = false) {
  auto r = parse_webhook_url(url, allow_private);
  EXPECT_TRUE(r.ok()) << url << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : WebhookUrl{};
}

// Refused, as `invalid`, with a message containing `words`.
void refused(std::string_view url, std::string_view words, bool allow_private = false) {
  auto r = parse_webhook_url(url, allow_private);
  ASSERT_FALSE(r.ok()) << url;
  EXPECT_EQ(r.error().kind, base::ErrorKind::invalid) << url;
  EXPECT_NE(r.error().message.find(words), std::string::npos) << url << ": " << r.error().message;
}

TEST(ParseWebhookUrl, Plain) {
  const WebhookUrl u = ok("https://hooks.Example.COM/in/abc?x=1&y=%2F");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "hooks.example.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.target, "/in/abc?x=1&y=%2F");
  EXPECT_FALSE(u.host_is_ip);
  EXPECT_EQ(u.to_string(), "https://hooks.example.com:443/in/abc?x=1&y=%2F");
}

TEST(ParseWebhookUrl, DefaultsAndPorts) {
  EXPECT_EQ(ok("https://example.com").target, "/");
  EXPECT_EQ(ok("https://example.com?q=1").target, "/?q=1");
  EXPECT_EQ(ok("HTTPS://example.com:8443/").port, 8443);
  EXPECT_EQ(ok("https://example.com:65535/").port, 65535);
  EXPECT_EQ(ok("https://example.com:1/").port, 1);
  EXPECT_EQ(ok("https://under_score.example-host.com./x").host, "under_score.example-host.com.");
  const WebhookUrl h = ok("http://localhost:8080/hook", true);
  EXPECT_EQ(h.scheme, "http");
  EXPECT_EQ(h.port, 8080);
  EXPECT_EQ(ok("http://internal.test/", true).port, 80);
}

TEST(ParseWebhookUrl, IpLiterals) {
  const WebhookUrl v4 = ok("https://8.8.8.8/x");
  EXPECT_TRUE(v4.host_is_ip);
  EXPECT_EQ(v4.host, "8.8.8.8");
  const WebhookUrl v6 = ok("https://[2001:4860:4860::8888]:8443/x");
  EXPECT_TRUE(v6.host_is_ip);
  EXPECT_EQ(v6.host, "2001:4860:4860::8888");
  EXPECT_EQ(v6.port, 8443);
  EXPECT_EQ(v6.to_string(), "https://[2001:4860:4860::8888]:8443/x");
  EXPECT_EQ(ok("https://[2001:4860:4860::8888]").port, 443);
  EXPECT_EQ(ok("https://[2001:4860:4860::ABCD]/").host, "2001:4860:4860::abcd");
  EXPECT_TRUE(ok("http://127.0.0.1:9000/", true).host_is_ip);
  EXPECT_TRUE(ok("https://[::1]/", true).host_is_ip);
}

TEST(ParseWebhookUrl, OnlyHttps) {
  refused("http://example.com/", "https://");
  refused("ftp://example.com/", "https://");
  refused("file:///etc/passwd", "https://");
  refused("gopher://example.com/", "https://", true);
  refused("example.com/hook", "https://");
  refused("https:/example.com/", "https://");
  refused("//example.com/", "https://");
}

TEST(ParseWebhookUrl, Credentials) {
  refused("https://user:pass@example.com/", "credentials");
  refused("https://user@example.com/", "credentials");
  refused("https://@example.com/", "credentials");
  refused("https://8.8.8.8@127.0.0.1/", "credentials");
}

TEST(ParseWebhookUrl, MissingHost) {
  refused("https://", "no host");
  refused("https:///path", "no host");
  refused("https://:443/", "no host");
  refused("https://?x", "no host");
  refused("https://[]/", "IPv6");
}

TEST(ParseWebhookUrl, Fragment) {
  refused("https://example.com/#frag", "fragment");
  refused("https://example.com#", "fragment");
}

TEST(ParseWebhookUrl, Ports) {
  refused("https://example.com:0/", "port");
  refused("https://example.com:65536/", "port");
  refused("https://example.com:99999/", "port");
  refused("https://example.com:/", "port");
  refused("https://example.com:-1/", "port");
  refused("https://example.com:+443/", "port");
  refused("https://example.com:443:443/", "port");
  refused("https://example.com:0x1bb/", "port");
  refused("https://example.com:000443/", "port");
  refused("https://[2001:4860::1]:0/", "port");
  refused("https://[2001:4860::1]x/", "]");
}

TEST(ParseWebhookUrl, Characters) {
  refused("https://example.com/a b", "percent-encode");
  refused(" https://example.com/", "percent-encode");
  refused("https://example.com/\t", "percent-encode");
  refused("https://example.com/\r\nHost: evil", "percent-encode");
  refused(std::string("https://example.com/\0x", 21), "percent-encode");
  refused("https://example.com/\x7f", "percent-encode");
  refused("https://ex\xc3\xa4mple.com/", "xn--");
  refused("https://example.com/<script>", "percent-encoded");
  refused("https://example.com/a\\b", "percent-encoded");
  refused("https://example.com/{x}", "percent-encoded");
  refused("https://example.com/%zz", "two hex digits");
  refused("https://example.com/%4", "two hex digits");
  refused("https://example.com/%", "two hex digits");
}

TEST(ParseWebhookUrl, Length) {
  const std::string base = "https://example.com/";
  const std::string at_limit = base + std::string(kMaxWebhookUrlLength - base.size(), 'a');
  EXPECT_EQ(ok(at_limit).target.size(), kMaxWebhookUrlLength - base.size() + 1);
  refused(at_limit + "a", "2048");
}

TEST(ParseWebhookUrl, HostCharacters) {
  refused("https://exa!mple.com/", "letters, digits");
  refused("https://exa%2ample.com/", "letters, digits");
  refused("https://example.com\\@evil.com/", "credentials");
  refused("https://example.com\\.evil/", "letters, digits");
  refused("https://exa$mple.com/", "letters, digits");
  refused("https://.example.com/", "label");
  refused("https://example..com/", "label");
  refused("https://" + std::string(64, 'a') + ".com/", "label");
  refused("https://[2001:4860::1%25eth0]/", "IPv6");
  refused("https://[8.8.8.8]/", "IPv6");
  refused("https://[2001:4860::1/", "']'");
}

TEST(ParseWebhookUrl, NumericHostsMustBeDottedQuads) {
  for (const char* url : {"https://2130706433/", "https://127.1/", "https://0x7f.0.0.1/",
                          "https://0x7f000001/", "https://8.8.8.010/", "https://1.2.3.4.5/",
                          "https://8.8.8.8./", "https://a.0x10/", "https://foo.123/"}) {
    refused(url, "four decimal numbers");
  }
  // A number in an inner label is an ordinary name.
  EXPECT_FALSE(ok("https://123.example.com/").host_is_ip);
  EXPECT_FALSE(ok("https://0x7f.example/").host_is_ip);
}

TEST(ParseWebhookUrl, PrivateIpLiterals) {
  for (const char* url : {"https://127.0.0.1/", "https://10.0.0.1/", "https://169.254.169.254/",
                          "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://[fe80::1]/",
                          "https://[fd00::1]/", "https://0.0.0.0/", "https://192.168.1.1:8443/"}) {
    refused(url, "non-public address");
    EXPECT_TRUE(parse_webhook_url(url, true).ok()) << url;
  }
}

TEST(ParseWebhookUrl, ErrorsDoNotEchoTheUrl) {
  auto r = parse_webhook_url("https://secret-token-123@example.com/", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("secret-token-123"), std::string::npos);
  r = parse_webhook_url("https://example.com/?token=secret-token-123#x", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("secret-token-123"), std::string::npos);
}

}  // namespace
}  // namespace herald::events
