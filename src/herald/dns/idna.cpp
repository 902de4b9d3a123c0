// dns::to_ascii — thin wrapper over idn2_lookup_u8 plus RFC 1035 length checks.
#include "herald/dns/idna.hpp"

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace herald::dns {

namespace {

using base::make_error;
using base::Result;

Result<void> check_lengths(std::string_view name) {
  if (name.size() > 253) return make_error("domain is longer than 253 characters");
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0) return make_error("domain has an empty label");
      if (label > 63) return make_error("domain has a label longer than 63 characters");
      label = 0;
    } else {
      ++label;
    }
  }
  return {};
}

}  // namespace

Result<std::string> to_ascii(std::string_view domain) {
  const bool trailing_dot = domain.size() > 1 && domain.back() == '.';
  if (trailing_dot) domain.remove_suffix(1);
  if (domain.empty()) return make_error("domain is empty");

  bool ascii = true;
  for (char c : domain) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) ascii = false;
    if (b <= 0x20 || b == 0x7f) return make_error("domain contains a space or control character");
  }

  std::string out;
  if (ascii) {
    out.assign(domain);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  } else {
    const std::string input(domain);  // idn2 wants NUL termination
    char* converted = nullptr;
    const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                                  reinterpret_cast<uint8_t**>(&converted),
                                  IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, decltype(&idn2_free)> owned(converted, &idn2_free);
    if (rc != IDN2_OK) {
      return make_error(std::string("domain is not a valid internationalized name: ") +
                        idn2_strerror(rc));
    }
    out = converted;
  }
  if (auto ok = check_lengths(out); !ok) return ok.error();
  if (trailing_dot) out += '.';
  return out;
}

}  // namespace herald::dns
