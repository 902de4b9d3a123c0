// config::detail::Section — typed reads from toml++ tables with located
// errors. Messages name the key, the table and what to write instead.
#include "herald/config/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "herald/base/units.hpp"

namespace herald::config::detail {
namespace {

// Levenshtein distance, for "did you mean" on misspelt keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// Key names from the file may hold any Unicode; keep messages one line.
std::string printable(std::string_view text) {
  std::string out;
  for (const char ch : text.substr(0, 60)) {
    const auto c = static_cast<unsigned char>(ch);
    out += (c < 0x20 || c == 0x7f) ? fmt::format("\\x{:02x}", c) : std::string(1, ch);
  }
  if (text.size() > 60) out += "...";
  return out;
}

}  // namespace

void Diagnostics::add(const toml::source_region& where, std::string_view message) {
  if (where.begin.line == 0) {
    add(message);
    return;
  }
  errors_.push_back({where.begin.line, fmt::format("{}:{}: {}", file_, where.begin.line, message)});
}

void Diagnostics::add(std::string_view message) {
  errors_.push_back({0, fmt::format("{}: {}", file_, message)});
}

std::string Diagnostics::joined() const {
  // Keys are checked before values are read; sort so the operator reads
  // the file top to bottom.
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    const auto key = [](std::uint32_t line) { return line == 0 ? UINT32_MAX : line; };
    return key(a.line) < key(b.line);
  });
  std::string out;
  for (const auto& e : sorted) {
    if (!out.empty()) out += '\n';
    out += e.text;
  }
  return out;
}

std::string_view describe(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "a list";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a decimal number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

Section::Section(Diagnostics& diag, const toml::table& table, std::string path, std::string title)
    : diag_(diag), table_(table), path_(std::move(path)), title_(std::move(title)) {}

void Section::check_keys(std::initializer_list<std::string_view> keys,
                         std::initializer_list<std::string_view> tables) {
  for (const auto& [key, node] : table_) {
    const std::string_view name = key.str();
    if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
    if (std::find(tables.begin(), tables.end(), name) != tables.end()) continue;

    // Closest known name, if it is plausibly a typo of it.
    std::string_view suggestion;
    std::size_t best = 3;
    for (const auto list : {keys, tables}) {
      for (const auto known : list) {
        const std::size_t d = edit_distance(name, known);
        if (d < best && d <= known.size() / 3 + 1) {
          best = d;
          suggestion = known;
        }
      }
    }
    std::vector<std::string> key_names(keys.begin(), keys.end());
    std::vector<std::string> table_names;
    for (const auto t : tables) {
      table_names.push_back(t == "listen" ? "[[listen]]" : fmt::format("[{}]", t));
    }
    std::string message;
    const bool is_table = node.is_table() || node.is_array_of_tables();
    if (is_table && path_.empty()) {
      message = fmt::format("unknown table [{}]; known tables are: {}", printable(name),
                            join(table_names));
    } else if (is_table) {
      message = fmt::format("unknown table [{}.{}]; {} has no sub-tables; its known keys are: {}",
                            path_, printable(name), title_, join(key_names));
    } else if (path_.empty()) {
      message = fmt::format(
          "unknown key '{}' at the top level; known keys are: {} (and the "
          "tables {})",
          printable(name), join(key_names), join(table_names));
    } else {
      message = fmt::format("unknown key '{}' in {}; known keys are: {}", printable(name), title_,
                            join(key_names));
    }
    if (!suggestion.empty()) message += fmt::format(" (did you mean '{}'?)", suggestion);
    diag_.add(key.source(), message);
  }
}

const toml::source_region& Section::where(std::string_view key) const {
  if (const auto* node = table_.get(key)) return node->source();
  return table_.source();
}

std::string Section::label(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return fmt::format("{} in {}", key, title_);
}

void Section::fail(std::string_view key, std::string_view message) {
  diag_.add(where(key), fmt::format("{} {}", label(key), message));
}

void Section::fail_choice(std::string_view key, std::string_view got,
                          const std::vector<std::string_view>& names) {
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += (i + 1 == names.size()) ? " or " : ", ";
    list += fmt::format("\"{}\"", names[i]);
  }
  fail(key, fmt::format("must be {}, not \"{}\"", list, printable(got)));
}

bool Section::check_type(std::string_view key, const toml::node& node, toml::node_type expected) {
  if (node.type() == expected) return true;
  fail(key, fmt::format("must be {}, not {}", describe(expected), describe(node.type())));
  return false;
}

bool Section::read_string(std::string_view key, std::string& out, bool allow_empty) {
  const auto* node = get(key);
  if (node == nullptr || !check_type(key, *node, toml::node_type::string)) return false;
  const std::string& value = node->as_string()->get();
  if (!allow_empty && value.empty()) {
    fail(key, "must not be empty");
    return false;
  }
  // NUL and line breaks have no place in any setting and could split a
  // path or forge a line in a reply or a log.
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; })) {
    fail(key, "must not contain control characters");
    return false;
  }
  out = value;
  return true;
}

bool Section::read_bool(std::string_view key, bool& out) {
  const auto* node = get(key);
  if (node == nullptr || !check_type(key, *node, toml::node_type::boolean)) return false;
  out = node->as_boolean()->get();
  return true;
}

bool Section::read_int(std::string_view key, std::int64_t& out, std::int64_t min,
                       std::int64_t max) {
  const auto* node = get(key);
  if (node == nullptr || !check_type(key, *node, toml::node_type::integer)) return false;
  const std::int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    fail(key, fmt::format("must be from {} to {}, not {}", min, max, value));
    return false;
  }
  out = value;
  return true;
}

bool Section::read_duration(std::string_view key, std::chrono::seconds& out,
                            std::chrono::seconds min) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  if (node->is_integer() || node->is_floating_point()) {
    fail(key,
         "must be a string with a unit, e.g. \"15m\" (a bare number could mean seconds or "
         "minutes)");
    return false;
  }
  std::string text;
  if (!read_string(key, text, true)) return false;
  auto parsed = base::parse_duration(text);
  if (!parsed.ok()) {
    fail(key, fmt::format("is wrong: {}", parsed.error().message));
    return false;
  }
  if (*parsed < min) {
    fail(key, fmt::format("must be at least {}", base::format_duration(min)));
    return false;
  }
  out = *parsed;
  return true;
}

bool Section::read_size(std::string_view key, std::uint64_t& out, std::uint64_t min) {
  const auto* node = get(key);
  if (node == nullptr) return false;
  std::uint64_t value = 0;
  if (node->is_integer()) {  // a bare number of bytes is unambiguous
    const std::int64_t n = node->as_integer()->get();
    if (n < 0) {
      fail(key, "must not be negative");
      return false;
    }
    value = static_cast<std::uint64_t>(n);
  } else {
    std::string text;
    if (!read_string(key, text, true)) return false;
    auto parsed = base::parse_size(text);
    if (!parsed.ok()) {
      fail(key, fmt::format("is wrong: {}", parsed.error().message));
      return false;
    }
    value = *parsed;
  }
  if (value < min) {
    fail(key, fmt::format("must be at least {}", base::format_size(min)));
    return false;
  }
  out = value;
  return true;
}

bool Section::read_string_list(std::string_view key, std::vector<std::string>& out) {
  const auto* node = get(key);
  if (node == nullptr || !check_type(key, *node, toml::node_type::array)) return false;
  std::vector<std::string> values;
  bool ok = true;
  std::size_t index = 0;
  for (const auto& element : *node->as_array()) {
    ++index;
    if (!element.is_string()) {
      diag_.add(element.source(), fmt::format("{}: item {} must be a string, not {}", label(key),
                                              index, describe(element.type())));
      ok = false;
      continue;
    }
    const std::string& value = element.as_string()->get();
    if (std::any_of(value.begin(), value.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; })) {
      diag_.add(element.source(),
                fmt::format("{}: item {} must not contain control characters", label(key), index));
      ok = false;
      continue;
    }
    values.push_back(value);
  }
  if (ok) out = std::move(values);
  return ok;
}

bool Section::read_duration_list(std::string_view key, std::vector<std::chrono::seconds>& out) {
  const auto* node = get(key);
  if (node == nullptr || !check_type(key, *node, toml::node_type::array)) return false;
  std::vector<std::chrono::seconds> values;
  bool ok = true;
  std::size_t index = 0;
  for (const auto& element : *node->as_array()) {
    ++index;
    if (!element.is_string()) {
      diag_.add(element.source(),
                fmt::format("{}: item {} must be a duration string such as \"5m\", not {}",
                            label(key), index, describe(element.type())));
      ok = false;
      continue;
    }
    auto parsed = base::parse_duration(element.as_string()->get());
    if (!parsed.ok() || parsed->count() < 1) {
      diag_.add(element.source(),
                fmt::format("{}: item {} is wrong: {}", label(key), index,
                            parsed.ok() ? "it must be at least 1s" : parsed.error().message));
      ok = false;
      continue;
    }
    values.push_back(*parsed);
  }
  if (ok) out = std::move(values);
  return ok;
}

}  // namespace herald::config::detail
