// dkim::tag_list — tag=value list parsing and the b= removal used when the
// signature field hashes itself.
#include "herald/dkim/tag_list.hpp"

namespace herald::dkim {
namespace {

bool is_fws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_fws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_fws(s.back())) s.remove_suffix(1);
  return s;
}

bool valid_tag_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  char first = name.front();
  return (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z');
}

}  // namespace

base::Result<TagList> TagList::parse(std::string_view text) {
  TagList list;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t semi = text.find(';', pos);
    std::string_view spec =
        text.substr(pos, semi == std::string_view::npos ? text.npos : semi - pos);
    pos = semi == std::string_view::npos ? text.size() + 1 : semi + 1;
    if (trim(spec).empty()) {
      // Only a trailing ';' may leave an empty spec.
      if (pos <= text.size()) return base::make_error("empty tag in tag list");
      break;
    }
    std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return base::make_error("tag without '=' in tag list");
    std::string_view name = trim(spec.substr(0, eq));
    if (!valid_tag_name(name)) return base::make_error("malformed tag name in tag list");
    for (const auto& [existing, value] : list.tags_) {
      if (existing == name) return base::make_error("duplicate tag '" + std::string(name) + "'");
    }
    list.tags_.emplace_back(std::string(name), std::string(trim(spec.substr(eq + 1))));
  }
  return list;
}

std::optional<std::string> TagList::get(std::string_view name) const {
  for (const auto& [tag, value] : tags_) {
    if (tag == name) return value;
  }
  return std::nullopt;
}

std::string remove_fws(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (!is_fws(c)) out.push_back(c);
  }
  return out;
}

std::string strip_b_value(std::string_view raw_field) {
  if (raw_field.ends_with("\r\n")) raw_field.remove_suffix(2);
  std::string out(raw_field);
  std::size_t colon = out.find(':');
  std::size_t pos = colon == std::string::npos ? 0 : colon + 1;
  while (pos < out.size()) {
    std::size_t semi = out.find(';', pos);
    std::size_t end = semi == std::string::npos ? out.size() : semi;
    std::size_t eq = out.find('=', pos);
    if (eq != std::string::npos && eq < end &&
        trim(std::string_view(out).substr(pos, eq - pos)) == "b") {
      out.erase(eq + 1, end - eq - 1);
      break;
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace herald::dkim
