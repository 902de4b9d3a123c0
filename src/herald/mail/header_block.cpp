#include "herald/mail/header_block.hpp"

#include <algorithm>
#include <cctype>

#include "herald/base/ascii.hpp"

namespace herald::mail {
namespace {

using base::iequals;

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// A quoted-string's content with its quotes dropped and escapes resolved.
std::string unquote(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') continue;
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// Removes comments and collapses the parts of one list element outside
// quoted strings; the address is the angle-addr content if present, and
// what stands before it is the display name.
base::Result<Mailbox> element_mailbox(std::string_view element) {
  std::string outside;  // element without comments; quoted strings kept
  std::string angle;
  bool in_angle = false, seen_angle = false, in_quote = false;
  int comment = 0;
  for (std::size_t i = 0; i < element.size(); ++i) {
    char c = element[i];
    if (in_quote) {
      if (c == '\\' && i + 1 < element.size()) {
        (in_angle ? angle : outside) += element.substr(i, 2);
        ++i;
        continue;
      }
      if (c == '"') in_quote = false;
      (in_angle ? angle : outside) += c;
      continue;
    }
    if (comment > 0) {
      if (c == '\\') {
        ++i;
      } else if (c == '(') {
        ++comment;
      } else if (c == ')') {
        --comment;
      }
      continue;
    }
    switch (c) {
      case '(':
        ++comment;
        break;
      case '"':
        in_quote = true;
        (in_angle ? angle : outside) += c;
        break;
      case '<':
        if (in_angle || seen_angle) return base::make_error("two '<' in one address");
        in_angle = seen_angle = true;
        break;
      case '>':
        if (!in_angle) return base::make_error("'>' without '<'");
        in_angle = false;
        break;
      default:
        (in_angle ? angle : outside) += c;
    }
  }
  if (in_quote || comment > 0 || in_angle)
    return base::make_error("unbalanced quotes, comments or <>");
  std::string addr = trim(seen_angle ? angle : outside);
  // Obsolete route syntax inside angle brackets: <@a,@b:user@host>.
  if (seen_angle && !addr.empty() && addr[0] == '@') {
    auto colon = addr.find(':');
    if (colon == std::string::npos) return base::make_error("bad route in address");
    addr = addr.substr(colon + 1);
  }
  // Folding whitespace inside an addr-spec is obsolete but legal; drop it.
  std::string compact;
  bool q = false;
  for (char c : addr) {
    if (c == '"') q = !q;
    if (!q && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) continue;
    compact += c;
  }
  if (compact.empty()) return base::make_error("empty address");
  auto at = compact.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == compact.size()) {
    return base::make_error("'" + compact + "' is not an address of the form local@domain");
  }
  return Mailbox{seen_angle ? trim(unquote(outside)) : std::string(), compact};
}

}  // namespace

std::size_t HeaderBlock::feed(std::string_view data) {
  if (complete_ || too_big_) return 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    text_.push_back(c);
    std::size_t n = text_.size();
    // The header section ends with an empty line: CRLF CRLF (or the
    // message starts with CRLF, meaning no header fields at all).
    if (c == '\n' && ((n >= 4 && text_.compare(n - 4, 4, "\r\n\r\n") == 0) || n == 2)) {
      complete_ = true;
      return i + 1;
    }
    if (n >= max_bytes_) {
      too_big_ = true;
      return i + 1;
    }
  }
  return data.size();
}

std::vector<std::string> HeaderBlock::values(std::string_view name) const {
  std::vector<std::string> out;
  std::string_view all = text_;
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t eol = all.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = all.size();
    std::string_view line = all.substr(pos, eol - pos);
    std::size_t next = eol + 2;
    if (line.empty()) break;
    auto colon = line.find(':');
    if (line[0] != ' ' && line[0] != '\t' && colon != std::string_view::npos) {
      std::string_view field = line.substr(0, colon);
      while (!field.empty() && (field.back() == ' ' || field.back() == '\t'))
        field.remove_suffix(1);
      if (iequals(field, name)) {
        std::string value(line.substr(colon + 1));
        // Unfold continuation lines.
        while (next < all.size() && (all[next] == ' ' || all[next] == '\t')) {
          std::size_t e2 = all.find("\r\n", next);
          if (e2 == std::string_view::npos) e2 = all.size();
          value += all.substr(next, e2 - next);
          next = e2 + 2;
        }
        out.push_back(trim(value));
      }
    }
    pos = next;
  }
  return out;
}

base::Result<std::vector<std::string>> parse_address_list(std::string_view value) {
  auto mailboxes = parse_mailbox_list(value);
  if (!mailboxes) return mailboxes.error();
  std::vector<std::string> out;
  for (auto& m : *mailboxes) out.push_back(std::move(m.address));
  return out;
}

base::Result<std::vector<Mailbox>> parse_mailbox_list(std::string_view value) {
  std::vector<Mailbox> out;
  std::string current;
  bool in_quote = false, in_angle = false, in_literal = false;
  int comment = 0;
  auto flush = [&]() -> base::Result<void> {
    if (trim(current).empty()) {
      current.clear();
      return {};
    }
    auto a = element_mailbox(current);
    if (!a) return a.error();
    out.push_back(std::move(*a));
    current.clear();
    return {};
  };
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if ((in_quote || comment > 0) && c == '\\' && i + 1 < value.size()) {
      current += value.substr(i, 2);
      ++i;
      continue;
    }
    if (!in_quote && comment == 0) {
      if (c == '<') in_angle = true;
      if (c == '>') in_angle = false;
      if (c == '[') in_literal = true;
      if (c == ']') in_literal = false;
    }
    if (comment == 0 && c == '"') in_quote = !in_quote;
    if (!in_quote && c == '(') ++comment;
    if (!in_quote && c == ')' && comment > 0) --comment;
    bool top = !in_quote && comment == 0 && !in_angle && !in_literal;
    if (top && c == ':') {
      current.clear();  // group display name: "team: a@x, b@y;"
      continue;
    }
    if (top && (c == ',' || c == ';')) {
      auto r = flush();
      if (!r) return r.error();
      continue;
    }
    current += c;
  }
  auto r = flush();
  if (!r) return r.error();
  if (out.empty()) return base::make_error("no address");
  return out;
}

}  // namespace herald::mail
