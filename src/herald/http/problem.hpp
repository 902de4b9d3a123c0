// http::problem — RFC 9457 "application/problem+json" error responses and
// the mapping of the parser's, router's and body decoder's typed errors to
// them. Builds values only: never touches a socket, clock or disk.
#pragma once

#include <string_view>

#include "herald/http/json_body.hpp"
#include "herald/http/request_parser.hpp"
#include "herald/http/response.hpp"
#include "herald/http/router.hpp"

namespace herald::http {

// The "type" URI prefix; "<prefix><suffix>" names a problem type.
inline constexpr std::string_view kProblemTypePrefix = "https://herald.invalid/problems/";

// {"type", "title", "status", "detail"[, "instance"]} with Content-Type
// application/problem+json. `type` is kProblemTypePrefix + type_suffix, or
// "about:blank" when the suffix is empty (RFC 9457 §4.2.1: then the title
// should be the reason phrase). Suffix octets other than [a-z0-9-] become
// '-'. `detail` should say what to do, not only what went wrong.
Response problem(int status, std::string_view title, std::string_view detail,
                 std::string_view type_suffix = {}, std::string_view instance = {});

// 400/411/413/414/417/431/501/505 with the parser's sentence as detail.
// The caller closes the connection after sending it.
Response from_parse_error(const ParseError& error);

// 415 or 400 with the decoder's sentence; adds "field" (RFC 9457 §3.2
// extension member) when one field is at fault.
Response from_body_error(const BodyError& error);

// 404, 405 (with an Allow field) or 400 for a Match that is not matched.
// `path` is echoed as "instance" only for 404/405 (a refused path may not
// be fit to echo). Calling it with a matched Match gives a 500.
Response from_match(const Match& match, std::string_view path);

}  // namespace herald::http
