#include "herald/base/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace herald::base {
namespace {

// Parses an address into 4 or 16 bytes; returns the family (0 = invalid).
int parse_address(std::string_view text, std::array<std::uint8_t, 16>& out) {
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) return 4;
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.data(), kMapped, 12) == 0) {
      std::memcpy(out.data(), v6.data() + 12, 4);
      return 4;
    }
    out = v6;
    return 6;
  }
  return 0;
}

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  Cidr c;
  auto slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  c.family_ = parse_address(address, c.bytes_);
  if (c.family_ == 0) {
    return make_error(
        "'" + std::string(text) +
        "' is not an IP network; write e.g. 192.0.2.0/24, 2001:db8::/32 or one address");
  }
  int max = c.family_ == 4 ? 32 : 128;
  c.prefix_ = max;
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), c.prefix_);
    if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || c.prefix_ < 0 ||
        c.prefix_ > max) {
      return make_error("'" + std::string(text) + "' has a bad prefix length; it must be 0 to " +
                        std::to_string(max));
    }
  }
  c.text_ = std::string(text);
  return c;
}

bool Cidr::contains(std::string_view address) const {
  std::array<std::uint8_t, 16> a{};
  if (parse_address(address, a) != family_) return false;
  int full = prefix_ / 8, rest = prefix_ % 8;
  if (std::memcmp(a.data(), bytes_.data(), static_cast<std::size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[static_cast<std::size_t>(full)] & mask) ==
         (bytes_[static_cast<std::size_t>(full)] & mask);
}

}  // namespace herald::base
