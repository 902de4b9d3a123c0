// Problem details. One builder so that every error the API sends has the
// same shape, and a client can switch on "type" rather than parse "detail".
#include "herald/http/problem.hpp"

#include <nlohmann/json.hpp>

namespace herald::http {
namespace {

std::string suffix_of(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::bad_request:
      return "malformed-request";
    case ParseErrorCode::length_required:
      return "length-required";
    case ParseErrorCode::too_large_body:
      return "body-too-large";
    case ParseErrorCode::uri_too_long:
      return "request-line-too-long";
    case ParseErrorCode::expectation_failed:
      return "expectation-failed";
    case ParseErrorCode::too_large_headers:
      return "headers-too-large";
    case ParseErrorCode::not_implemented:
      return "transfer-encoding-unsupported";
    case ParseErrorCode::version_not_supported:
      return "http-version-unsupported";
  }
  return "malformed-request";
}

std::string suffix_of(BodyErrorCode code) {
  switch (code) {
    case BodyErrorCode::wrong_content_type:
      return "unsupported-media-type";
    case BodyErrorCode::invalid_json:
      return "invalid-json";
    case BodyErrorCode::not_object:
      return "body-not-object";
    case BodyErrorCode::duplicate_key:
      return "duplicate-field";
    case BodyErrorCode::too_deep:
      return "body-too-deep";
    case BodyErrorCode::missing_field:
      return "missing-field";
    case BodyErrorCode::wrong_type:
      return "invalid-field";
    case BodyErrorCode::unknown_field:
      return "unknown-field";
  }
  return "invalid-json";
}

nlohmann::json problem_body(int status, std::string_view title, std::string_view detail,
                            std::string_view type_suffix, std::string_view instance) {
  std::string type = "about:blank";
  if (!type_suffix.empty()) {
    type = std::string(kProblemTypePrefix);
    for (char c : type_suffix) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      type += ok ? c : '-';
    }
  }
  nlohmann::json body = {
      {"type", type},
      {"title", std::string(title)},
      {"status", status},
      {"detail", std::string(detail)},
  };
  if (!instance.empty()) body["instance"] = std::string(instance);
  return body;
}

Response problem_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/problem+json");
  r.body = dump_json(body);
  return r;
}

}  // namespace

Response problem(int status, std::string_view title, std::string_view detail,
                 std::string_view type_suffix, std::string_view instance) {
  return problem_response(status, problem_body(status, title, detail, type_suffix, instance));
}

Response from_parse_error(const ParseError& error) {
  const int status = error.status();
  return problem(status, reason_phrase(status), error.message, suffix_of(error.code));
}

Response from_body_error(const BodyError& error) {
  const int status = error.status();
  nlohmann::json body =
      problem_body(status, reason_phrase(status), error.message, suffix_of(error.code), {});
  if (!error.field.empty()) body["field"] = error.field;
  return problem_response(status, body);
}

Response from_match(const Match& match, std::string_view path) {
  switch (match.status) {
    case MatchStatus::not_found:
      return problem(404, "Not Found",
                     "No resource exists at this path; check it against the API reference "
                     "(paths never end in '/').",
                     "not-found", path);
    case MatchStatus::method_not_allowed: {
      std::string allow;
      for (const std::string& m : match.allow) allow += (allow.empty() ? "" : ", ") + m;
      Response r = problem(405, "Method Not Allowed",
                           "This path does not accept this method; use one of: " + allow + ".",
                           "method-not-allowed", path);
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    case MatchStatus::bad_path:
      return problem(400, "Bad Request", match.reason + " Fix the path and retry.", "bad-path");
    case MatchStatus::matched:
      break;
  }
  return problem(500, "Internal Server Error", "The server routed this request wrongly.");
}

}  // namespace herald::http
