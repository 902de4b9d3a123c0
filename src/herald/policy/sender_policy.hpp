// policy::SenderPolicy — pure decisions on who may send what: relaying,
// the envelope sender and the header From. No I/O; the session asks, the
// policy answers with a decision and a sentence for the refusal reply.
// Later issues extend Identity (API key scopes, account domains).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace herald::policy {

// Who the client proved to be: a login, or an API key.
struct Identity {
  std::string login;    // the login's address, e.g. "app@acme.example"; "key:<id>" for a key
  std::string account;  // the account the login or key belongs to

  // API keys only.
  bool api_key = false;
  std::string key_id;
  std::vector<std::string> scopes;             // "mail.send", "mail.send:DOMAIN"
  std::vector<std::string> sender_patterns;    // optional further restriction
  std::vector<std::string> account_addresses;  // what plain mail.send covers
};

// Whether an address matches a sender pattern ('*' matches any run of
// characters; case-insensitive).
bool matches_pattern(std::string_view address, std::string_view pattern);

struct Decision {
  bool allowed = false;
  std::string reason;  // for the reply when refused; empty when allowed

  static Decision allow() { return {true, {}}; }
  static Decision deny(std::string why) { return {false, std::move(why)}; }
};

// Relaying to any recipient needs an authenticated identity; Herald has no
// local mailboxes, so an unauthenticated client may not send anywhere.
Decision check_relay(const Identity* identity);

// The MAIL FROM address (empty for the null sender <>).
Decision check_envelope_sender(const Identity& identity, std::string_view mail_from);

// The addresses of every From: header field (one list per field).
Decision check_header_from(const Identity& identity,
                           const std::vector<std::vector<std::string>>& from_fields);

// Case-insensitive address equality (domains are case-insensitive; local
// parts are compared case-insensitively too, as every real mailbox
// provider treats them).
bool same_address(std::string_view a, std::string_view b);

}  // namespace herald::policy
