// policy::SenderPolicy — pure decisions on who may send what: relaying,
// the envelope sender and the header From. No I/O; the session asks, the
// policy answers with a decision and a sentence for the refusal reply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "herald/mail/header_block.hpp"

namespace herald::policy {

// Who the client proved to be: a login, or an API key.
struct Identity {
  std::string login;    // the login's address, e.g. "app@acme.example"; "key:<id>" for a key
  std::string account;  // the account the login or key belongs to
  // The account's sending domains (or its parent's, when it has none): any address on
  // them may be used. Filled in before MAIL FROM is judged.
  std::vector<std::string> domains;
  bool domains_loaded = false;
  // The account's effective rate limits (0 = unlimited), read with the domains.
  std::uint64_t messages_per_hour = 0;
  std::uint64_t recipients_per_hour = 0;

  // API keys only.
  bool api_key = false;
  std::string key_id;
  std::vector<std::string> scopes;             // "mail.send", "mail.send:DOMAIN"
  std::vector<std::string> sender_patterns;    // optional further restriction
  std::vector<std::string> account_addresses;  // the account's logins
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

// The originator fields of the message header, one list per field.
struct HeaderSenders {
  std::vector<std::vector<mail::Mailbox>> from;
  std::vector<std::vector<mail::Mailbox>> sender;
};

// The header's originator fields (RFC 5322 §3.6.2): exactly one From: with
// addresses the identity may use, no display name that shows a different
// address (also inside RFC 2047 encoded words), at most one Sender: with one
// usable address (required when From: lists several), and From: domains
// aligned with the MAIL FROM domain (equal, or one a subdomain of the other).
Decision check_header_senders(const Identity& identity, std::string_view mail_from,
                              const HeaderSenders& headers);

// Whether the identity may use `address` as a sender: a login its own
// address or any address on its account's domains; an API key what its
// account may use, narrowed by its scopes and sender patterns.
Decision check_sender_address(const Identity& identity, std::string_view address);

// Case-insensitive address equality (domains are case-insensitive; local
// parts are compared case-insensitively too, as every real mailbox
// provider treats them).
bool same_address(std::string_view a, std::string_view b);

}  // namespace herald::policy
