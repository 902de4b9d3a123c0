#include "herald/policy/sender_policy.hpp"

#include <algorithm>
#include <cctype>

#include "herald/base/ascii.hpp"
#include "herald/mail/encoded_word.hpp"

namespace herald::policy {

bool same_address(std::string_view a, std::string_view b) {
  return base::iequals(a, b);
}

bool matches_pattern(std::string_view address, std::string_view pattern) {
  // Iterative glob with backtracking to the last '*'.
  std::size_t a = 0, p = 0, star = std::string_view::npos, mark = 0;
  auto eq = [](char x, char y) { return base::ascii_lower(x) == base::ascii_lower(y); };
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

bool on_domains(const Identity& identity, std::string_view address) {
  const std::string domain = domain_of(address);
  for (const auto& d : identity.domains) {
    if (same_address(d, domain)) return true;
  }
  return false;
}

// What the identity's account may use: its sending domains and its logins'
// own addresses (each login is a verified single address).
bool account_may_use(const Identity& identity, std::string_view address) {
  if (on_domains(identity, address)) return true;
  for (const auto& own : identity.account_addresses) {
    if (same_address(own, address)) return true;
  }
  return false;
}

std::string usable_description(const Identity& identity) {
  std::string own = identity.api_key ? "" : identity.login;
  if (identity.domains.empty()) return own.empty() ? "no address" : own;
  std::string domains = "addresses @" + joined(identity.domains);
  return own.empty() ? domains : own + " or " + domains;
}

// An API key: the account must be able to use the address, a scope must
// cover it (mail.send: everything the account may use; mail.send:DOMAIN:
// only that domain), and, when the key has sender patterns, one must match.
Decision check_key_address(const Identity& key, std::string_view address) {
  bool covered = false;
  if (account_may_use(key, address)) {
    for (const auto& scope : key.scopes) {
      if (scope == "mail.send") {
        covered = true;
      } else if (scope.rfind("mail.send:", 0) == 0) {
        covered |= same_address(scope.substr(10), domain_of(address));
      }
    }
  }
  if (!covered) {
    return Decision::deny("API key " + key.key_id + " may not send as " + std::string(address) +
                          ": neither its account (" + usable_description(key) +
                          ") nor its scopes (" + joined(key.scopes) + ") cover it");
  }
  if (key.sender_patterns.empty()) return Decision::allow();
  for (const auto& pattern : key.sender_patterns) {
    if (matches_pattern(address, pattern)) return Decision::allow();
  }
  return Decision::deny("API key " + key.key_id + " may only send as " +
                        joined(key.sender_patterns) + ", not as " + std::string(address));
}

// "ceo@bank.example" <app@acme.example>: the reader sees an address that
// is not the sender's. Any word with an '@' and a dot after it counts.
std::string lookalike_address(std::string_view display_name, std::string_view address) {
  const std::string decoded = mail::decode_encoded_words(display_name);
  std::size_t start = 0;
  while (start < decoded.size()) {
    std::size_t end = decoded.find_first_of(" \t<>()[],;:\"'", start);
    if (end == std::string::npos) end = decoded.size();
    std::string_view word(decoded.data() + start, end - start);
    auto at = word.find('@');
    if (at != std::string_view::npos && at > 0 && word.find('.', at) != std::string_view::npos &&
        !same_address(word, address)) {
      return std::string(word);
    }
    start = end + 1;
  }
  return {};
}

bool aligned(std::string_view a, std::string_view b) {
  auto sub = [](std::string_view child, std::string_view parent) {
    return child.size() > parent.size() + 1 && child[child.size() - parent.size() - 1] == '.' &&
           same_address(child.substr(child.size() - parent.size()), parent);
  };
  return same_address(a, b) || sub(a, b) || sub(b, a);
}

Decision check_mailbox(const Identity& identity, const mail::Mailbox& m, std::string_view field) {
  if (auto d = check_sender_address(identity, m.address); !d.allowed) {
    return Decision::deny("Header " + std::string(field) + " rejected: " + d.reason);
  }
  if (auto shown = lookalike_address(m.display_name, m.address); !shown.empty()) {
    return Decision::deny("Header " + std::string(field) + " rejected: its display name shows " +
                          shown + " but the address is " + m.address +
                          "; use a display name without an address");
  }
  return Decision::allow();
}

}  // namespace

Decision check_relay(const Identity* identity) {
  if (identity == nullptr) {
    return Decision::deny(
        "Relay access denied: authenticate first (AUTH), this server is no open relay");
  }
  return Decision::allow();
}

Decision check_sender_address(const Identity& identity, std::string_view address) {
  if (identity.api_key) return check_key_address(identity, address);
  if (same_address(address, identity.login) || on_domains(identity, address)) {
    return Decision::allow();
  }
  return Decision::deny(identity.login + " may send as " + usable_description(identity) +
                        ", not as " + std::string(address));
}

Decision check_envelope_sender(const Identity& identity, std::string_view mail_from) {
  if (mail_from.empty()) {
    return Decision::deny(
        "The null sender <> is not accepted for submission; use an address you may send as (" +
        usable_description(identity) + ")");
  }
  auto d = check_sender_address(identity, mail_from);
  if (!d.allowed) return Decision::deny("Sender address rejected: " + d.reason);
  return d;
}

Decision check_header_senders(const Identity& identity, std::string_view mail_from,
                              const HeaderSenders& headers) {
  if (headers.from.empty()) {
    return Decision::deny(
        "The message has no From: header; add one with an address you may "
        "send as (" +
        usable_description(identity) + ")");
  }
  if (headers.from.size() > 1) {
    return Decision::deny("The message has more than one From: header field (RFC 5322 §3.6)");
  }
  if (headers.sender.size() > 1) {
    return Decision::deny("The message has more than one Sender: header field (RFC 5322 §3.6)");
  }
  const auto& from = headers.from.front();
  for (const auto& m : from) {
    if (auto d = check_mailbox(identity, m, "From"); !d.allowed) return d;
    if (!mail_from.empty() && !aligned(domain_of(m.address), domain_of(mail_from))) {
      return Decision::deny("Header From rejected: its domain " + domain_of(m.address) +
                            " differs from the envelope sender's domain " + domain_of(mail_from) +
                            "; use the same domain in both");
    }
  }
  if (!headers.sender.empty()) {
    if (headers.sender.front().size() != 1) {
      return Decision::deny("The Sender: header must hold exactly one address (RFC 5322 §3.6.2)");
    }
    if (auto d = check_mailbox(identity, headers.sender.front().front(), "Sender"); !d.allowed) {
      return d;
    }
  } else if (from.size() > 1) {
    return Decision::deny(
        "A From: header with several addresses needs a Sender: header naming the one who "
        "sends (RFC 5322 §3.6.2)");
  }
  return Decision::allow();
}

}  // namespace herald::policy
