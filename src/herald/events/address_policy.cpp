#include "herald/events/address_policy.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>

namespace herald::events {
namespace {

using V4 = std::array<std::uint8_t, 4>;
using V6 = std::array<std::uint8_t, 16>;

// True when the first `bits` bits of `a` equal those of `net`.
template <std::size_t N>
bool in_prefix(const std::array<std::uint8_t, N>& a, const std::array<std::uint8_t, N>& net,
               int bits) {
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : 0xff << (8 - bits));
    if ((a[i] & mask) != (net[i] & mask)) return false;
  }
  return true;
}

bool public_v4(const V4& a) {
  struct Net {
    V4 net;
    int bits;
  };
  static constexpr Net kBlocked[] = {
      {{0, 0, 0, 0}, 8},     {{10, 0, 0, 0}, 8},      {{100, 64, 0, 0}, 10},
      {{127, 0, 0, 0}, 8},   {{169, 254, 0, 0}, 16},  {{172, 16, 0, 0}, 12},
      {{192, 0, 0, 0}, 24},  {{192, 0, 2, 0}, 24},    {{192, 168, 0, 0}, 16},
      {{198, 18, 0, 0}, 15}, {{198, 51, 100, 0}, 24}, {{203, 0, 113, 0}, 24},
      {{224, 0, 0, 0}, 4},   {{240, 0, 0, 0}, 4},
  };
  for (const Net& n : kBlocked) {
    if (in_prefix(a, n.net, n.bits)) return false;
  }
  return true;
}

V4 embedded_v4(const V6& a, std::size_t offset) {
  return {a[offset], a[offset + 1], a[offset + 2], a[offset + 3]};
}

bool public_v6(const V6& a) {
  // Forms that carry an IPv4 address are only as public as that address:
  // a NAT64 gateway or the kernel would otherwise carry the request to a
  // private IPv4 target.
  static constexpr V6 kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr V6 kNat64 = {0x00, 0x64, 0xff, 0x9b};
  static constexpr V6 kSixToFour = {0x20, 0x02};
  if (in_prefix(a, kMapped, 96)) return public_v4(embedded_v4(a, 12));
  if (in_prefix(a, kNat64, 96)) return public_v4(embedded_v4(a, 12));
  if (in_prefix(a, kSixToFour, 16)) return public_v4(embedded_v4(a, 2));

  // An allowlist: only 2000::/3 holds global unicast, so everything special
  // outside it (loopback, link-local, ULA, multicast...) needs no entry.
  static constexpr V6 kGlobal = {0x20};
  if (!in_prefix(a, kGlobal, 3)) return false;
  static constexpr V6 kIetf = {0x20, 0x01};
  static constexpr V6 kDoc = {0x20, 0x01, 0x0d, 0xb8};
  static constexpr V6 kDoc2 = {0x3f, 0xff};
  return !in_prefix(a, kIetf, 23) && !in_prefix(a, kDoc, 32) && !in_prefix(a, kDoc2, 20);
}

}  // namespace

bool is_public_address(const std::string& ip) {
  // inet_pton stops at a NUL; "8.8.8.8\0junk" is not an address.
  if (ip.find('\0') != std::string::npos) return false;
  V4 v4{};
  if (::inet_pton(AF_INET, ip.c_str(), v4.data()) == 1) return public_v4(v4);
  V6 v6{};
  if (::inet_pton(AF_INET6, ip.c_str(), v6.data()) == 1) return public_v6(v6);
  return false;
}

}  // namespace herald::events
