// config::detail::Section — typed reads from one toml++ table, with errors
// that carry "FILE:LINE:". Every key of a table must be known, or it is
// reported: a misspelt limit must never be silently ignored. Internal.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::config::detail {

// Collects every error of one parse, so check-config can list them all.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // "FILE:LINE: message", or "FILE: message" when the place is unknown.
  void add(const toml::source_region& where, std::string_view message);
  void add(std::string_view message);

  bool empty() const { return errors_.empty(); }
  std::string joined() const;  // one error per line, in file order
  const std::string& file() const { return file_; }

 private:
  struct Entry {
    std::uint32_t line;  // 0 = about the whole file; listed last
    std::string text;
  };
  std::string file_;
  std::vector<Entry> errors_;
};

// The article and name of a TOML type, for "must be a string, not an integer".
std::string_view describe(toml::node_type type);

class Section {
 public:
  // `path` is the dotted table name ("limits"; "" for the document root),
  // `title` how messages name it ("[limits]", "[[listen]]").
  Section(Diagnostics& diag, const toml::table& table, std::string path, std::string title);

  // Reports each key that is neither in `keys` nor in `tables`, with a
  // "did you mean" when a known name is one or two typos away.
  void check_keys(std::initializer_list<std::string_view> keys,
                  std::initializer_list<std::string_view> tables = {});

  const toml::node* get(std::string_view key) const { return table_.get(key); }
  bool has(std::string_view key) const { return table_.contains(key); }
  // The value's place, or the table's when the key is absent.
  const toml::source_region& where(std::string_view key) const;
  // "<key> in <title>" (or just "<key>" at the top level).
  std::string label(std::string_view key) const;
  // Adds "FILE:LINE: <label(key)> <message>" at the key's place.
  void fail(std::string_view key, std::string_view message);

  // Each read returns true and sets `out` when the key is present and
  // valid; false (with an error added) when invalid; false when absent.
  bool read_string(std::string_view key, std::string& out, bool allow_empty = false);
  bool read_bool(std::string_view key, bool& out);
  bool read_int(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
  template <class T>
  bool read_int(std::string_view key, T& out, std::int64_t min,
                std::int64_t max = static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
    std::int64_t value = 0;
    if (!read_int(key, value, min, max)) return false;
    out = static_cast<T>(value);
    return true;
  }
  bool read_duration(std::string_view key, std::chrono::seconds& out,
                     std::chrono::seconds min = std::chrono::seconds{1});
  bool read_size(std::string_view key, std::uint64_t& out, std::uint64_t min = 1);
  bool read_string_list(std::string_view key, std::vector<std::string>& out);
  bool read_duration_list(std::string_view key, std::vector<std::chrono::seconds>& out);

  // A string that must be one of `choices`; the message lists them.
  template <class E>
  bool read_choice(std::string_view key, E& out,
                   std::initializer_list<std::pair<std::string_view, E>> choices) {
    std::string text;
    if (!read_string(key, text, true)) return false;
    std::vector<std::string_view> names;
    for (const auto& [name, value] : choices) {
      if (name == text) {
        out = value;
        return true;
      }
      names.push_back(name);
    }
    fail_choice(key, text, names);
    return false;
  }

  const toml::table& table() const { return table_; }
  const std::string& title() const { return title_; }
  Diagnostics& diagnostics() { return diag_; }

 private:
  void fail_choice(std::string_view key, std::string_view got,
                   const std::vector<std::string_view>& names);
  bool check_type(std::string_view key, const toml::node& node, toml::node_type expected);

  Diagnostics& diag_;
  const toml::table& table_;
  std::string path_;
  std::string title_;
};

}  // namespace herald::config::detail
