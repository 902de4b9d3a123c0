// libFuzzer target for http::Router and parse_query: against a fixed route
// table, a matched route's parameters are never empty, ".", ".." and never
// hold '/', '\', NUL or another control, or invalid UTF-8; 405 lists the
// methods sorted and without the request's own; matching is deterministic.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "herald/http/percent.hpp"
#include "herald/http/problem.hpp"
#include "herald/http/router.hpp"

using herald::http::Match;
using herald::http::MatchStatus;
using herald::http::Router;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

const Router& table() {
  static const Router router = [] {
    Router r;
    const char* routes[][3] = {
        {"GET", "/", "root"},
        {"GET", "/api/v1/accounts", "accounts.list"},
        {"POST", "/api/v1/accounts", "accounts.create"},
        {"GET", "/api/v1/accounts/{name}", "accounts.get"},
        {"PUT", "/api/v1/accounts/{name}", "accounts.put"},
        {"DELETE", "/api/v1/accounts/{name}", "accounts.delete"},
        {"GET", "/api/v1/accounts/new", "accounts.template"},
        {"GET", "/api/v1/domains/{domain}/dns", "domains.dns"},
        {"POST", "/api/v1/domains/{domain}/keys/{selector}", "domains.key"},
        {"GET", "/api/v1/{a}/{b}/{c}/{d}", "wide"},
    };
    for (const auto& [method, pattern, op] : routes) {
      if (!r.add(method, pattern, op).ok()) std::abort();
    }
    return r;
  }();
  return router;
}

void check_value(const std::string& v, bool segment) {
  check(herald::http::valid_utf8(v) && !herald::http::has_control(v));
  check(v.find('\0') == std::string::npos);
  if (segment) {
    check(!v.empty() && v != "." && v != "..");
    check(v.find('/') == std::string::npos && v.find('\\') == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nl = input.find('\n');
  const std::string_view method = nl == std::string_view::npos ? "GET" : input.substr(0, nl);
  const std::string_view path = nl == std::string_view::npos ? input : input.substr(nl + 1);

  const Match m = table().match(method, path);
  const Match again = table().match(method, path);
  check(m.status == again.status && m.route == again.route && m.params == again.params &&
        m.allow == again.allow && m.reason == again.reason);

  switch (m.status) {
    case MatchStatus::matched: {
      check(m.route != nullptr && m.route->method == method);
      const auto params = static_cast<std::size_t>(
          std::count_if(m.route->segments.begin(), m.route->segments.end(),
                        [](const std::string& s) { return !s.empty() && s.front() == '{'; }));
      check(m.params.size() == params);
      for (const auto& [name, value] : m.params) check_value(value, true);
      break;
    }
    case MatchStatus::method_not_allowed:
      check(m.route == nullptr && !m.allow.empty());
      check(std::is_sorted(m.allow.begin(), m.allow.end()));
      check(std::adjacent_find(m.allow.begin(), m.allow.end()) == m.allow.end());
      check(std::find(m.allow.begin(), m.allow.end(), method) == m.allow.end());
      break;
    case MatchStatus::bad_path:
      check(!m.reason.empty() && m.params.empty());
      break;
    case MatchStatus::not_found:
      check(m.route == nullptr && m.params.empty());
      break;
  }
  if (m.status != MatchStatus::matched) {
    const std::string wire = herald::http::serialize(herald::http::from_match(m, path), true);
    const std::string head = wire.substr(0, wire.find("\r\n\r\n"));
    for (std::size_t i = 0; i < head.size(); ++i) {
      if (head[i] == '\n') check(i > 0 && head[i - 1] == '\r');
      if (head[i] == '\r') check(i + 1 < head.size() && head[i + 1] == '\n');
    }
  }

  const auto query = herald::http::parse_query(path);
  if (query.ok()) {
    for (const auto& [key, value] : *query) {
      check_value(key, false);
      check_value(value, false);
    }
  } else {
    check(!query.error().message.empty());
  }
  return 0;
}
