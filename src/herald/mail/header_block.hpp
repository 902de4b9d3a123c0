// mail::HeaderBlock — collects a message's header section as data streams
// by (bounded), and pulls addresses out of From:/Sender: the way RFC 5322
// writes them, so that policy can check who a message claims to be from.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::mail {

class HeaderBlock {
 public:
  explicit HeaderBlock(std::size_t max_bytes = 256 * 1024) : max_bytes_(max_bytes) {}

  // Feeds message bytes; stops collecting at the blank line ending the
  // header section (or at max_bytes, then too_big() is true). Returns how
  // many bytes of `data` it took: the rest is body.
  std::size_t feed(std::string_view data);
  bool complete() const { return complete_; }
  bool too_big() const { return too_big_; }
  const std::string& text() const { return text_; }

  // Unfolded values of every field called `name` (case-insensitive).
  std::vector<std::string> values(std::string_view name) const;

 private:
  std::size_t max_bytes_;
  std::string text_;
  bool complete_ = false;
  bool too_big_ = false;
};

struct Mailbox {
  std::string display_name;  // unquoted, comments dropped; encoded words left as written
  std::string address;       // addr-spec
};

// Mailboxes of an RFC 5322 mailbox-list or address-list (groups flattened).
base::Result<std::vector<Mailbox>> parse_mailbox_list(std::string_view value);

// Addresses (addr-spec) in an RFC 5322 mailbox-list or address-list:
// display names, quoted strings and comments are skipped, so
// `"ceo@bank.example" <x@evil.example>` yields x@evil.example.
base::Result<std::vector<std::string>> parse_address_list(std::string_view value);

}  // namespace herald::mail
