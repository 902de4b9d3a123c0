// dkim::header_list — header section splitting and bottom-up field selection.
// Hand-written: it must keep the raw bytes of each field, which a general
// RFC 5322 parser (that decodes and normalizes) would lose.
#include "herald/dkim/header_list.hpp"

#include "herald/base/ascii.hpp"

namespace herald::dkim {

bool header_name_equals(std::string_view a, std::string_view b) {
  return base::iequals(a, b);
}

base::Result<std::vector<HeaderField>> parse_header_section(std::string_view section) {
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < section.size()) {
    std::size_t eol = section.find('\n', pos);
    if (eol == std::string_view::npos) {
      return base::make_error("header section does not end with CRLF");
    }
    if (eol == pos || section[eol - 1] != '\r') {
      return base::make_error("header line ends with a bare LF");
    }
    std::string_view line = section.substr(pos, eol + 1 - pos);
    pos = eol + 1;
    if (line == "\r\n") break;  // the empty line ending the section
    if (line[0] == ' ' || line[0] == '\t') {
      if (fields.empty()) return base::make_error("continuation line before any header field");
      fields.back().raw += line;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return base::make_error("header line without a colon");
    }
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.empty()) return base::make_error("header field with an empty name");
    fields.push_back(HeaderField{std::string(name), std::string(line)});
  }
  return fields;
}

MessageParts split_message(std::string_view message) {
  if (message.starts_with("\r\n")) return {message.substr(0, 0), message.substr(2)};
  std::size_t blank = message.find("\r\n\r\n");
  if (blank == std::string_view::npos) return {message, message.substr(message.size())};
  return {message.substr(0, blank + 2), message.substr(blank + 4)};
}

std::vector<const HeaderField*> select_fields(const std::vector<HeaderField>& fields,
                                              const std::vector<std::string>& names) {
  std::vector<bool> used(fields.size(), false);
  std::vector<const HeaderField*> picked;
  picked.reserve(names.size());
  for (const auto& name : names) {
    const HeaderField* found = nullptr;
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (!used[i] && header_name_equals(fields[i].name, name)) {
        used[i] = true;
        found = &fields[i];
        break;
      }
    }
    picked.push_back(found);
  }
  return picked;
}

}  // namespace herald::dkim
