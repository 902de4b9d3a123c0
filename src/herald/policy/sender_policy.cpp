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

bool matches_pattern(std::string_view address, std::string_view pattern) {
  // Iterative glob with backtracking to the last '*'.
  std::size_t a = 0, p = 0, star = std::string_view::npos, mark = 0;
  auto eq = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  };
  while (a < address.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = a;
    } else if (p < pattern.size() && eq(pattern[p], address[a])) {
      ++p;
      ++a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// What an API key may send as: a scope must cover the address (plain
// mail.send: the account's own addresses; mail.send:DOMAIN: that domain),
// and, when the key has sender patterns, one of them must match too.
Decision check_key_address(const Identity& key, std::string_view address) {
  bool covered = false;
  for (const auto& scope : key.scopes) {
    if (scope == "mail.send") {
      for (const auto& own : key.account_addresses) covered |= same_address(own, address);
    } else if (scope.rfind("mail.send:", 0) == 0) {
      covered |= same_address(scope.substr(10), domain_of(address));
    }
  }
  if (!covered) {
    return Decision::deny("API key " + key.key_id + " may not send as " + std::string(address) +
                          ": no scope covers it (scopes: " + joined(key.scopes) + ")");
  }
  if (key.sender_patterns.empty()) return Decision::allow();
  for (const auto& pattern : key.sender_patterns) {
    if (matches_pattern(address, pattern)) return Decision::allow();
  }
  return Decision::deny("API key " + key.key_id + " may only send as " +
                        joined(key.sender_patterns) + ", not as " + std::string(address));
}

}  // namespace

Decision check_relay(const Identity* identity) {
  if (identity == nullptr) {
    return Decision::deny(
        "Relay access denied: authenticate first (AUTH), this server is no open relay");
  }
  return Decision::allow();
}

Decision check_envelope_sender(const Identity& identity, std::string_view mail_from) {
  if (identity.api_key && !mail_from.empty()) return check_key_address(identity, mail_from);
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
    if (identity.api_key) {
      auto d = check_key_address(identity, address);
      if (!d.allowed) return Decision::deny("Header From rejected: " + d.reason);
      continue;
    }
    if (!same_address(address, identity.login)) {
      return Decision::deny("Header From rejected: " + identity.login + " may not send as " +
                            address);
    }
  }
  return Decision::allow();
}

}  // namespace herald::policy
