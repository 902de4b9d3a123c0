// config::address — "host:port" strings from herald.toml and the command
// line: listener addresses (IP literals only, so binding never depends on
// DNS), smarthosts (names allowed) and hostnames. Pure string checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::config {

struct HostPort {
  std::string host;  // without brackets: "127.0.0.1", "::1", "smtp.example.net"
  std::uint16_t port = 0;
  bool ipv6 = false;  // host is an IPv6 literal (write it as "[host]:port")
};

// "IPv4:port" or "[IPv6]:port", port 1..65535. Names such as "localhost"
// are refused: a listener must not depend on name resolution.
base::Result<HostPort> parse_ip_port(std::string_view text);

// Like parse_ip_port, but the host may also be a DNS name ("smtp.example.net:587").
base::Result<HostPort> parse_host_port(std::string_view text);

// True for an IPv4 or IPv6 literal (no brackets), checked with inet_pton.
bool is_ip_literal(std::string_view host);

// A DNS host name in ASCII (letters, digits, '-', dots; labels of 1..63
// characters; 253 in all). Internationalized names must be given in
// their xn-- form. One trailing dot is not accepted.
bool is_hostname(std::string_view name);

}  // namespace herald::config
