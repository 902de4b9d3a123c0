#include "herald/events/webhook_url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "herald/events/address_policy.hpp"

namespace herald::events {
namespace {

base::Error invalid(std::string message) {
  return base::make_error(base::ErrorKind::invalid, std::move(message));
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

// RFC 3986 pchar plus '/' and '?': unreserved, sub-delims, ':', '@', and
// '%' (checked separately for two hex digits). Anything else ('"', '<',
// '\\', '{', '[' ...) is read differently by different URL parsers.
bool target_char_ok(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  return std::string_view("-._~!$&'()*+,;=:@/?%").find(c) != std::string_view::npos;
}

bool host_char_ok(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

// The WHATWG URL rule: a host whose last label is a number ("1", "0x1f")
// is an IPv4 address, and resolvers accept forms such as "127.1" or
// "2130706433" for 127.0.0.1. Such hosts must be a plain dotted quad so
// that what is checked here is what gets connected to.
bool looks_numeric(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const auto dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  if (std::all_of(last.begin(), last.end(), is_digit)) return true;
  return last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') &&
         std::all_of(last.begin() + 2, last.end(), is_hex);
}

bool valid_labels(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const auto dot = host.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? host.size() : dot;
    if (end == start || end - start > 63) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

std::string WebhookUrl::host_for_url() const {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string WebhookUrl::to_string() const {
  return scheme + "://" + host_for_url() + ":" + std::to_string(port) + target;
}

base::Result<WebhookUrl> parse_webhook_url(std::string_view url, bool allow_private) {
  if (url.empty()) return invalid("the webhook URL is empty; give an https:// URL");
  if (url.size() > kMaxWebhookUrlLength) {
    return invalid("the webhook URL is longer than 2048 characters; shorten it");
  }
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return invalid(
          "the webhook URL contains spaces, control or non-ASCII characters; percent-encode them "
          "and write an internationalized host name in its xn-- form");
    }
  }
  if (url.find('#') != std::string_view::npos) {
    return invalid("the webhook URL has a fragment (#...); remove it, it is never sent");
  }

  WebhookUrl out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return invalid("the webhook URL must start with https://");
  }
  out.scheme = lower(url.substr(0, sep));
  if (out.scheme == "http") {
    if (!allow_private) {
      return invalid(
          "the webhook URL must use https://; http:// is accepted only for private test targets");
    }
  } else if (out.scheme != "https") {
    return invalid("the webhook URL must use https://");
  }

  const std::string_view rest = url.substr(sep + 3);
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return invalid(
        "the webhook URL contains credentials (user:password@); remove them, receivers "
        "authenticate Herald by the signature header");
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return invalid(
          "the webhook URL's host has '[' without ']'; write an IPv6 address as [2001:db8::1]");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return invalid(
            "the webhook URL has text after the IPv6 address; only :port may follow ']'");
      }
      port_text = after.substr(1);
      has_port = true;
    }
    std::array<std::uint8_t, 16> bytes{};
    if (host.empty() || ::inet_pton(AF_INET6, std::string(host).c_str(), bytes.data()) != 1) {
      return invalid(
          "the webhook URL's host in brackets is not an IPv6 address; write it as [2001:db8::1] "
          "without a zone");
    }
    out.host_is_ip = true;
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) return invalid("the webhook URL has no host; write https://host/path");

  if (has_port) {
    unsigned value = 0;
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), is_digit)) {
      return invalid("the webhook URL's port must be a number from 1 to 65535");
    }
    for (char c : port_text) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value == 0 || value > 65535) {
      return invalid("the webhook URL's port must be a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }

  out.host = lower(host);
  if (!out.host_is_ip) {
    if (!std::all_of(out.host.begin(), out.host.end(), host_char_ok)) {
      return invalid(
          "the webhook URL's host may hold only letters, digits, '-', '.' and '_', or be an IP "
          "address; write an internationalized name in its xn-- form");
    }
    if (!valid_labels(out.host)) {
      return invalid(
          "the webhook URL's host has an empty label or one longer than 63 characters, or is "
          "longer than 253; correct the host name");
    }
    if (looks_numeric(out.host)) {
      std::array<std::uint8_t, 4> bytes{};
      if (::inet_pton(AF_INET, out.host.c_str(), bytes.data()) != 1) {
        return invalid(
            "the webhook URL's host is numeric but not an IPv4 address; write IPv4 as four "
            "decimal numbers, like 192.0.2.1");
      }
      out.host_is_ip = true;
    }
  }
  if (out.host_is_ip && !allow_private && !is_public_address(out.host)) {
    return invalid(
        "the webhook URL points at a private, loopback or otherwise non-public address; use a "
        "publicly reachable host");
  }

  for (std::size_t i = 0; i < target.size(); ++i) {
    const char c = target[i];
    if (!target_char_ok(c) || (c == '%' && (i + 2 >= target.size() || !is_hex(target[i + 1]) ||
                                            !is_hex(target[i + 2])))) {
      return invalid(
          "the webhook URL's path or query holds a character that must be percent-encoded "
          "(or a '%' not followed by two hex digits)");
    }
  }
  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

}  // namespace herald::events
