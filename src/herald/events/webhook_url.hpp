// events::parse_webhook_url — checks a webhook URL an operator configured
// and splits it into the parts the HTTP client needs. Sans-I/O: it never
// resolves the host; whether a name points somewhere private is decided later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::events {

constexpr std::size_t kMaxWebhookUrlLength = 2048;

struct WebhookUrl {
  std::string scheme;      // "https", or "http" (only with allow_private, for tests)
  std::string host;        // lower-case; an IPv6 literal without brackets
  std::uint16_t port = 0;  // explicit, or 443/80 by scheme
  std::string target;      // path and query as written; "/" when empty
  bool host_is_ip = false;

  // "host" or "[v6]": the form a URL and a CURLOPT_RESOLVE entry need.
  std::string host_for_url() const;
  // scheme://host:port/target, rebuilt from the checked parts so that the
  // HTTP client is given exactly what was validated.
  std::string to_string() const;
};

// Refuses (ErrorKind::invalid, with a sentence saying what to change):
// anything but https (http only when allow_private), credentials
// ("user:pass@"), an empty host, a fragment, a bad or zero port, spaces,
// control or non-ASCII characters (percent-encode them), characters a URL
// may not hold unencoded, more than kMaxWebhookUrlLength characters, hosts
// other than letters/digits/'-'/'.'/'_' or an IP literal, numeric hosts
// that are not a dotted-quad IPv4 address (the "127.1" and "0x7f.0.0.1"
// forms resolvers accept), and an IP literal that is_public_address
// refuses unless allow_private. Error messages never echo the URL, whose
// query may hold a token.
base::Result<WebhookUrl> parse_webhook_url(std::string_view url, bool allow_private);

}  // namespace herald::events
