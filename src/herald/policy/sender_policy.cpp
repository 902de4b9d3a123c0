#include "herald/policy/sender_policy.hpp"

#include <algorithm>
#include <cctype>

namespace herald::policy {

bool same_address(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Decision check_relay(const Identity* identity) {
  if (identity == nullptr) {
    return Decision::deny(
        "Relay access denied: authenticate first (AUTH), this server is no open relay");
  }
  return Decision::allow();
}

Decision check_envelope_sender(const Identity& identity, std::string_view mail_from) {
  if (mail_from.empty()) {
    return Decision::deny("The null sender <> is not accepted for submission; use " +
                          identity.login + " as the sender");
  }
  if (same_address(mail_from, identity.login)) return Decision::allow();
  return Decision::deny("Sender address rejected: " + identity.login + " may only send as " +
                        identity.login + ", not as " + std::string(mail_from));
}

Decision check_header_from(const Identity& identity,
                           const std::vector<std::vector<std::string>>& from_fields) {
  if (from_fields.empty()) {
    return Decision::deny("The message has no From: header; add one with the address " +
                          identity.login);
  }
  if (from_fields.size() > 1) {
    return Decision::deny("The message has more than one From: header field (RFC 5322 §3.6)");
  }
  for (const auto& address : from_fields.front()) {
    if (!same_address(address, identity.login)) {
      return Decision::deny("Header From rejected: " + identity.login + " may not send as " +
                            address);
    }
  }
  return Decision::allow();
}

}  // namespace herald::policy
