// http::Router — the gate between raw paths and handlers: method + path to a
// route and decoded params, refusing traversal and ambiguity; parse_query().
// Pure lookups: never touches a socket, clock or disk.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::http {

// A registered route. `operation` names the handler ("accounts.get"); the
// web layer maps it to code, and an OpenAPI document's operationIds can be
// checked against the list.
struct Route {
  std::string method;   // case-sensitive token ("GET")
  std::string pattern;  // "/api/v1/domains/{domain}/dns"
  std::string operation;
  std::vector<std::string> segments;  // pattern split on '/': literals or "{name}"
};

enum class MatchStatus {
  matched,             // route and params are set
  not_found,           // 404: no pattern fits the path
  method_not_allowed,  // 405: patterns fit, not for this method; see allow
  bad_path,            // 400: the path itself is refused; see reason
};

struct Match {
  MatchStatus status = MatchStatus::not_found;
  const Route* route = nullptr;  // valid while the Router lives
  // Parameter values, each one whole decoded segment: never empty, never
  // "." or "..", never holding '/', '\\' or a control character, always
  // valid UTF-8.
  std::map<std::string, std::string, std::less<>> params;
  std::vector<std::string> allow;  // 405: methods for this path, sorted
  std::string reason;              // bad_path: a sentence for the client

  const std::string* param(std::string_view name) const;
};

class Router {
 public:
  // Patterns start with '/', have no empty segment, and each segment is
  // either a literal of URI-safe characters or a whole "{name}" (name in
  // [a-z_][a-z0-9_]*, unique within the pattern). Refused: a bad pattern,
  // a method that is not a token, the same method for the same shape twice
  // ("/a/{x}" and "/a/{y}" are one shape).
  base::Result<void> add(std::string_view method, std::string_view pattern,
                         std::string_view operation);

  // Matching rules:
  // - the path (no query) must start with '/'; it is split on '/' first,
  //   then each segment is percent-decoded on its own, so "%2F" can never
  //   create a segment boundary;
  // - an empty segment in the middle ("//"), a bad %-escape, a decoded
  //   segment that is "." or "..", holds '/', '\\', NUL or another control,
  //   or is not valid UTF-8 (overlong "%c0%af" included) -> bad_path;
  // - a trailing slash ("/x/") is a different resource and, since no
  //   pattern can end in one, not_found: no redirect, no silent stripping;
  // - literals compare with the decoded segment, case-sensitively;
  // - several patterns may fit: for the request's method, the one whose
  //   first differing segment is a literal wins ("/a/new" over "/a/{id}");
  // - HEAD and OPTIONS are never implied; they are ordinary methods.
  Match match(std::string_view method, std::string_view raw_path) const;

  const std::deque<Route>& routes() const { return routes_; }

 private:
  std::deque<Route> routes_;  // a deque keeps Match::route valid across add()
};

// Parses "a=1&b=x+y&a=%C3%A9" into pairs in order, duplicates kept: '+' is
// a space, %XX is decoded, a piece without '=' has an empty value, empty
// pieces ("a=1&&b") are skipped. A bad %-escape, invalid UTF-8 or a control
// character after decoding is an error naming the piece.
base::Result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

}  // namespace herald::http
