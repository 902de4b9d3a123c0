// dkim::tag_list — the "tag=value; ..." syntax shared by DKIM-Signature
// fields and DNS key records (RFC 6376 §3.2). Only splits and trims; the
// meaning of each tag belongs to the signer, verifier and key code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::dkim {

class TagList {
 public:
  // Refuses a tag without '=', an empty or malformed name and a duplicate tag.
  static base::Result<TagList> parse(std::string_view text);

  // The value with surrounding folding white space trimmed; inner FWS kept.
  std::optional<std::string> get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> tags_;
};

// Removes every SP, HTAB, CR and LF (for b=, bh=, p= and h= values).
std::string remove_fws(std::string_view value);

// The DKIM-Signature field with the value of its b= tag deleted and the final
// CRLF dropped, as it is hashed (RFC 6376 §3.7).
std::string strip_b_value(std::string_view raw_field);

}  // namespace herald::dkim
