// delivery::mta_sts_policy — the RFC 8461 §3.1 record and §3.2 policy
// grammars. Hand-written: the grammars are a few lines each and no packaged
// library parses them.
#include "herald/delivery/mta_sts_policy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "herald/base/ascii.hpp"

namespace herald::delivery {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Lowercase, one trailing dot removed: the form names are compared in.
std::string canonical_host(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return base::ascii_lower(host);
}

// sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
bool valid_extension_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || !is_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

// sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable, without ";", "=".
bool valid_extension_value(std::string_view value) {
  if (value.empty()) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7e && c != ';' && c != '=';
  });
}

// "mail.example.net" or "*.example.net": LDH labels (underscore tolerated,
// as in real MX names), the wildcard only as the whole leftmost label.
bool valid_mx_pattern(std::string_view pattern) {
  if (pattern.starts_with("*.")) pattern.remove_prefix(2);
  if (pattern.empty() || pattern.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= pattern.size(); ++i) {
    if (i == pattern.size() || pattern[i] == '.') {
      if (label == 0 || label > 63) return false;
      label = 0;
      continue;
    }
    const char c = pattern[i];
    if (!is_alnum(c) && c != '-' && c != '_') return false;
    ++label;
  }
  return true;
}

}  // namespace

std::string_view to_string(StsMode mode) {
  switch (mode) {
    case StsMode::enforce:
      return "enforce";
    case StsMode::testing:
      return "testing";
    case StsMode::none:
      return "none";
  }
  return "none";
}

base::Result<StsRecord> parse_sts_record(std::string_view txt) {
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    const std::size_t semi = txt.find(';', start);
    fields.push_back(trim(txt.substr(start, semi == std::string_view::npos ? semi : semi - start)));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  // One separator may end the record: "v=STSv1; id=1;" is valid.
  if (fields.size() > 1 && fields.back().empty()) fields.pop_back();
  if (fields.front() != "v=STSv1") {
    return base::make_error("the _mta-sts record does not start with v=STSv1");
  }
  StsRecord record;
  bool have_id = false;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    const std::string_view field = fields[i];
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
      return base::make_error(fmt::format("the _mta-sts record has \"{}\", not name=value", field));
    }
    const std::string_view name = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    if (name == "id") {
      if (have_id) return base::make_error("the _mta-sts record has two id fields");
      if (value.empty() || value.size() > 32 ||
          !std::all_of(value.begin(), value.end(), is_alnum)) {
        return base::make_error(fmt::format(
            "the _mta-sts record's id \"{}\" is not 1 to 32 letters and digits", value));
      }
      record.id = std::string(value);
      have_id = true;
    } else if (!valid_extension_name(name) || !valid_extension_value(value)) {
      return base::make_error(
          fmt::format("the _mta-sts record has a malformed field \"{}\"", field));
    }
  }
  if (!have_id) return base::make_error("the _mta-sts record has no id field");
  return record;
}

base::Result<StsRecord> select_sts_record(std::span<const std::string> txt_records) {
  const std::string* chosen = nullptr;
  std::size_t count = 0;
  for (const auto& txt : txt_records) {
    if (!txt.starts_with("v=STSv1")) continue;
    chosen = &txt;
    ++count;
  }
  if (count == 0) return base::make_error("no TXT record at _mta-sts starts with v=STSv1");
  if (count > 1) {
    return base::make_error(fmt::format(
        "{} TXT records at _mta-sts start with v=STSv1; RFC 8461 requires exactly one", count));
  }
  return parse_sts_record(*chosen);
}

base::Result<StsPolicy> parse_sts_policy(std::string_view text) {
  if (text.size() > kMaxStsPolicySize) {
    return base::make_error(
        fmt::format("the MTA-STS policy is {} bytes; the limit is 64 KiB", text.size()));
  }
  StsPolicy policy;
  bool have_version = false;
  bool have_mode = false;
  bool have_max_age = false;
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    policy.lines.emplace_back(line);

    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return base::make_error(
          fmt::format("line {} of the MTA-STS policy is not \"key: value\"", line_number));
    }
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    // Keys and values are case-sensitive (%s in the RFC's ABNF).
    auto once = [&](bool& seen) -> base::Result<void> {
      if (seen) {
        return base::make_error(
            fmt::format("the MTA-STS policy sets {} twice (line {})", key, line_number));
      }
      seen = true;
      return {};
    };
    if (key == "version") {
      if (auto r = once(have_version); !r) return r.error();
      if (value != "STSv1") {
        return base::make_error(
            fmt::format("the MTA-STS policy has version \"{}\"; only STSv1 is known", value));
      }
    } else if (key == "mode") {
      if (auto r = once(have_mode); !r) return r.error();
      if (value == "enforce") {
        policy.mode = StsMode::enforce;
      } else if (value == "testing") {
        policy.mode = StsMode::testing;
      } else if (value == "none") {
        policy.mode = StsMode::none;
      } else {
        return base::make_error(fmt::format(
            "the MTA-STS policy has mode \"{}\"; it must be enforce, testing or none", value));
      }
    } else if (key == "max_age") {
      if (auto r = once(have_max_age); !r) return r.error();
      // 1*10DIGIT, and representable within 0..31557600 (RFC 8461 §3.2).
      if (value.empty() || value.size() > 10 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return base::make_error(
            fmt::format("the MTA-STS policy's max_age \"{}\" is not a number of seconds", value));
      }
      const long long seconds = std::stoll(std::string(value));
      if (seconds > kMaxStsMaxAge.count()) {
        return base::make_error(
            fmt::format("the MTA-STS policy's max_age {} is above the maximum 31557600", seconds));
      }
      policy.max_age = std::chrono::seconds{seconds};
    } else if (key == "mx") {
      std::string pattern = canonical_host(value);
      if (!valid_mx_pattern(pattern)) {
        return base::make_error(
            fmt::format("the MTA-STS policy's mx \"{}\" is not a host name pattern", value));
      }
      policy.mx.push_back(std::move(pattern));
    }
    // Any other key is an extension: ignored (RFC 8461 §3.2).
  }
  if (!have_version) return base::make_error("the MTA-STS policy has no version: STSv1 line");
  if (!have_mode) return base::make_error("the MTA-STS policy has no mode");
  if (!have_max_age) return base::make_error("the MTA-STS policy has no max_age");
  if (policy.mx.empty() && policy.mode != StsMode::none) {
    return base::make_error("the MTA-STS policy lists no mx pattern");
  }
  return policy;
}

bool mx_pattern_matches(std::string_view pattern_view, std::string_view mx_host) {
  const std::string host = canonical_host(mx_host);
  const std::string pattern = canonical_host(pattern_view);
  if (host.empty() || pattern.empty()) return false;
  if (!pattern.starts_with("*.")) return host == pattern;
  const std::string_view suffix = std::string_view(pattern).substr(1);  // ".example.net"
  if (host.size() <= suffix.size() || !host.ends_with(suffix)) return false;
  const std::string_view label = std::string_view(host).substr(0, host.size() - suffix.size());
  return label.find('.') == std::string_view::npos;
}

bool mx_matches(const StsPolicy& policy, std::string_view mx_host) {
  return std::any_of(policy.mx.begin(), policy.mx.end(),
                     [&](const std::string& p) { return mx_pattern_matches(p, mx_host); });
}

}  // namespace herald::delivery
