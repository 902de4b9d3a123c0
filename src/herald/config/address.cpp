// config::address — host:port parsing. IPv6 literals must be bracketed
// because "::1:587" is itself a valid IPv6 address and would be misread.
#include "herald/config/address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

namespace herald::config {
namespace {

bool parse_ipv4(std::string_view host) {
  if (host.empty() || host.size() >= INET_ADDRSTRLEN) return false;
  const std::string copy(host);  // inet_pton needs a NUL-terminated string
  in_addr out{};
  return inet_pton(AF_INET, copy.c_str(), &out) == 1;
}

bool parse_ipv6(std::string_view host) {
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return false;
  const std::string copy(host);
  in6_addr out{};
  return inet_pton(AF_INET6, copy.c_str(), &out) == 1;
}

// Quotes user input for messages; control bytes are escaped so that a
// malformed value cannot forge extra lines in a log.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text.substr(0, 80)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  if (text.size() > 80) out += "...";
  return out + "\"";
}

// Splits "host:port" / "[host]:port" and checks the port. The host part
// is returned without brackets and checked by the caller.
base::Result<HostPort> split(std::string_view text, std::string_view example) {
  const auto fail = [&](std::string_view why) {
    return base::make_error(fmt::format(
        "{} is not a valid address: {}; write host:port, e.g. \"{}\"", quoted(text), why, example));
  };
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail("the '[' has no matching ']'");
    out.host = std::string(text.substr(1, close - 1));
    if (!parse_ipv6(out.host)) return fail("the part in brackets is not an IPv6 address");
    out.ipv6 = true;
    const auto rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return fail("the port is missing after ']'");
    port = rest.substr(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("the port is missing");
    if (text.find(':') != colon) {
      return fail("IPv6 addresses must be written in brackets, as in [::1]:587");
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (out.host.empty()) return fail("the host is empty");
  if (port.empty() || port.size() > 5) return fail("the port must be a number from 1 to 65535");
  unsigned value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return fail("the port must be a number from 1 to 65535");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return fail("the port must be a number from 1 to 65535");
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  return parse_ipv4(host) || parse_ipv6(host);
}

bool is_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  char previous = '.';
  bool label_all_digits = true;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
      label_all_digits = true;
    } else {
      if (c < '0' || c > '9') label_all_digits = false;
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && c != '-') return false;
      if (c == '-' && label == 0) return false;
      if (++label > 63) return false;
    }
    previous = c;
  }
  // An all-digit last label ("10.0.0.300") is a mistyped IP, not a name.
  return label > 0 && previous != '-' && !label_all_digits;
}

base::Result<HostPort> parse_ip_port(std::string_view text) {
  auto split_result = split(text, "0.0.0.0:587");
  if (!split_result.ok()) return split_result;
  HostPort out = std::move(split_result).value();
  if (!out.ipv6 && !parse_ipv4(out.host)) {
    return base::make_error(
        fmt::format("{} is not a valid address: the host must be an IP address (names are not "
                    "resolved); use 0.0.0.0 or [::] for all addresses, 127.0.0.1 for loopback",
                    quoted(text)));
  }
  return out;
}

base::Result<HostPort> parse_host_port(std::string_view text) {
  auto split_result = split(text, "smtp.example.net:587");
  if (!split_result.ok()) return split_result;
  HostPort out = std::move(split_result).value();
  if (!out.ipv6 && !parse_ipv4(out.host) && !is_hostname(out.host)) {
    return base::make_error(
        fmt::format("{} is not a valid address: the host is neither a host name nor an IP "
                    "address",
                    quoted(text)));
  }
  return out;
}

}  // namespace herald::config
