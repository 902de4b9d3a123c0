// base::Cidr — an IPv4 or IPv6 network ("192.0.2.0/24", "2001:db8::/32",
// or one address) and whether an address lies in it. Used for API key
// client-IP allowlists.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::base {

class Cidr {
 public:
  static Result<Cidr> parse(std::string_view text);
  // False for unparsable addresses and for the other address family; an
  // IPv4-mapped IPv6 address (::ffff:192.0.2.1) counts as IPv4.
  bool contains(std::string_view address) const;
  std::string to_string() const { return text_; }

 private:
  std::array<std::uint8_t, 16> bytes_{};
  int family_ = 0;  // 4 or 6
  int prefix_ = 0;
  std::string text_;
};

}  // namespace herald::base
