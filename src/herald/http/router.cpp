// Router: a linear scan over a few dozen admin routes. A trie would be
// faster but the table is small and the scan is simple to reason about,
// which matters more at the gate between raw paths and handlers.
#include "herald/http/router.hpp"

#include <algorithm>

#include "herald/http/chars.hpp"
#include "herald/http/percent.hpp"

namespace herald::http {
namespace {

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool valid_param_name(std::string_view name) {
  if (name.empty() || !(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || chars::is_digit(c) || (c >= 'a' && c <= 'z');
  });
}

// Splits "/a/b" into {"a", "b"}; "/" into {}. Empty pieces are kept so the
// caller can tell "//" and a trailing '/' apart.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path == "/") return out;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Why a decoded segment or query value may not reach a handler, or empty.
std::string refuse_decoded(std::string_view s, bool is_segment) {
  if (!valid_utf8(s)) return "is not valid UTF-8 once percent-decoded";
  if (has_control(s)) return "holds a control character once percent-decoded";
  if (is_segment) {
    if (s == "." || s == "..") return "is a dot-segment (\".\" or \"..\")";
    if (s.find('/') != std::string_view::npos || s.find('\\') != std::string_view::npos) {
      return "holds an encoded '/' or '\\'";
    }
  }
  return {};
}

// True if `a` beats `b` for the same path: at the first segment where one
// is a literal and the other a parameter, the literal wins.
bool more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    const bool pa = is_param(a.segments[i]);
    const bool pb = is_param(b.segments[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

}  // namespace

const std::string* Match::param(std::string_view name) const {
  const auto it = params.find(name);
  return it == params.end() ? nullptr : &it->second;
}

base::Result<void> Router::add(std::string_view method, std::string_view pattern,
                               std::string_view operation) {
  const std::string where = std::string(method) + " " + std::string(pattern);
  if (!chars::is_token(method)) return base::make_error(where + ": method is not a token");
  if (pattern.empty() || pattern.front() != '/') {
    return base::make_error(where + ": pattern must start with '/'");
  }
  Route route{std::string(method), std::string(pattern), std::string(operation), {}};
  std::vector<std::string_view> names;
  for (std::string_view segment : split_path(pattern)) {
    if (segment.empty()) return base::make_error(where + ": empty segment or trailing '/'");
    if (is_param(segment)) {
      const std::string_view name = segment.substr(1, segment.size() - 2);
      if (!valid_param_name(name)) return base::make_error(where + ": bad parameter name");
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        return base::make_error(where + ": parameter named twice");
      }
      names.push_back(name);
    } else {
      const bool safe = std::all_of(segment.begin(), segment.end(), [](char c) {
        return chars::is_unreserved(c) || c == ':' || c == '@';
      });
      if (!safe || segment == "." || segment == "..") {
        return base::make_error(where + ": literal segment \"" + std::string(segment) +
                                "\" must be unreserved URI characters");
      }
    }
    route.segments.emplace_back(segment);
  }
  for (const Route& other : routes_) {
    if (other.method != route.method || other.segments.size() != route.segments.size()) continue;
    bool same_shape = true;
    for (std::size_t i = 0; i < route.segments.size() && same_shape; ++i) {
      const bool p = is_param(route.segments[i]);
      same_shape =
          p == is_param(other.segments[i]) && (p || route.segments[i] == other.segments[i]);
    }
    if (same_shape) {
      return base::make_error(where + ": same method and shape as " + other.pattern);
    }
  }
  routes_.push_back(std::move(route));
  return {};
}

Match Router::match(std::string_view method, std::string_view raw_path) const {
  Match m;
  auto bad = [&m](std::string reason) {
    m.status = MatchStatus::bad_path;
    m.reason = std::move(reason);
    return std::move(m);
  };
  if (raw_path.empty() || raw_path.front() != '/') return bad("The path must start with '/'.");

  const std::vector<std::string_view> raw = split_path(raw_path);
  std::vector<std::string> decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].empty()) {
      if (i + 1 == raw.size()) return m;  // trailing '/': not_found, see router.hpp
      return bad("The path has an empty segment (\"//\"); remove the extra '/'.");
    }
    // The parser lets only URI characters through; checked again here so
    // the router is safe whoever calls it.
    const bool uri_chars = std::all_of(raw[i].begin(), raw[i].end(),
                                       [](char c) { return chars::is_pchar(c) || c == '%'; });
    if (!uri_chars) {
      return bad("Path segment " + std::to_string(i + 1) +
                 " holds a character that must be percent-encoded.");
    }
    auto d = percent_decode(raw[i]);
    if (!d) return bad("Path segment " + std::to_string(i + 1) + " has a bad %-escape.");
    if (const std::string why = refuse_decoded(*d, true); !why.empty()) {
      return bad("Path segment " + std::to_string(i + 1) + " " + why + ".");
    }
    decoded.push_back(std::move(*d));
  }

  const Route* best = nullptr;
  std::vector<std::string> allow;
  for (const Route& route : routes_) {
    if (route.segments.size() != decoded.size()) continue;
    bool fits = true;
    for (std::size_t i = 0; i < decoded.size() && fits; ++i) {
      fits = is_param(route.segments[i]) || route.segments[i] == decoded[i];
    }
    if (!fits) continue;
    allow.push_back(route.method);
    if (route.method == method && (best == nullptr || more_specific(route, *best))) best = &route;
  }
  if (best != nullptr) {
    m.status = MatchStatus::matched;
    m.route = best;
    for (std::size_t i = 0; i < decoded.size(); ++i) {
      const std::string& s = best->segments[i];
      if (is_param(s)) m.params.emplace(s.substr(1, s.size() - 2), std::move(decoded[i]));
    }
  } else if (!allow.empty()) {
    std::sort(allow.begin(), allow.end());
    allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
    m.status = MatchStatus::method_not_allowed;
    m.allow = std::move(allow);
  }
  return m;
}

base::Result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t index = 0;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (piece.empty()) continue;
    ++index;
    const auto eq = piece.find('=');
    auto key = percent_decode(piece.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : piece.substr(eq + 1), true);
    const std::string where = "query parameter " + std::to_string(index);
    if (!key || !value) return base::make_error(where + " has a bad %-escape");
    for (const std::string* s : {&*key, &*value}) {
      if (const std::string why = refuse_decoded(*s, false); !why.empty()) {
        return base::make_error(where + " " + why);
      }
    }
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

}  // namespace herald::http
