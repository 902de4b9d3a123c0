// web::openapi_document — the OpenAPI 3.1 description of the API, built
// from the same operation table the router is built from: every served
// route is described and nothing else is.
#include <set>

#include "herald/web/api.hpp"

namespace herald::web {
namespace {

// "/accounts/{name}/dns" -> ["name"].
std::vector<std::string> path_parameters(std::string_view pattern) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string_view::npos) {
    const std::size_t end = pattern.find('}', pos);
    out.emplace_back(pattern.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

nlohmann::json problem_response(const char* description) {
  return {
      {"description", description},
      {"content",
       {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

nlohmann::json success_response(const Operation& op) {
  if (op.success == 204) return {{"description", "Done; no content"}};
  if (op.success == 202) return {{"description", "Accepted; the server acts on it shortly"}};
  const std::string method = op.method;
  const std::string pattern = op.pattern;
  const bool list = method == "GET" && pattern.find('{') == std::string::npos;
  nlohmann::json schema = list ? nlohmann::json{{"$ref", "#/components/schemas/Page"}}
                               : nlohmann::json{{"type", "object"}};
  return {{"description",
           list ? "One page of the list; follow next_cursor for the next" : "The resource"},
          {"content", {{"application/json", {{"schema", schema}}}}}};
}

}  // namespace

nlohmann::json openapi_document(const std::vector<Operation>& operations) {
  nlohmann::json paths = nlohmann::json::object();
  for (const Operation& op : operations) {
    nlohmann::json o{{"operationId", op.id},
                     {"summary", op.summary},
                     {"tags", {op.tag}},
                     {"security", {{{"bearer", nlohmann::json::array()}}}}};
    nlohmann::json parameters = nlohmann::json::array();
    for (const auto& name : path_parameters(op.pattern)) {
      parameters.push_back(
          {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    const std::string method = op.method;
    const std::string pattern = op.pattern;
    if (method == "GET" && pattern.find('{') == std::string::npos) {
      parameters.push_back({{"name", "limit"},
                            {"in", "query"},
                            {"required", false},
                            {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}}}});
      parameters.push_back({{"name", "cursor"},
                            {"in", "query"},
                            {"required", false},
                            {"schema", {{"type", "string"}}}});
    }
    if (pattern == "/audit") {
      parameters.push_back({{"name", "kind"},
                            {"in", "query"},
                            {"required", false},
                            {"schema", {{"enum", {"auth", "admin", "send"}}}}});
      parameters.push_back({{"name", "since"},
                            {"in", "query"},
                            {"required", false},
                            {"description", "a duration back from now, e.g. 24h"},
                            {"schema", {{"type", "string"}}}});
    }
    if (method == "DELETE" && pattern == "/accounts/{name}") {
      parameters.push_back({{"name", "force"},
                            {"in", "query"},
                            {"required", false},
                            {"schema", {{"enum", {"true", "false"}}}}});
    }
    if (!parameters.empty()) o["parameters"] = parameters;
    if (op.request_schema) {
      o["requestBody"] = {
          {"required", pattern != "/keys/{id}/rotate"},
          {"content",
           {{"application/json", {{"schema", nlohmann::json::parse(op.request_schema)}}}}}};
    }
    nlohmann::json responses{{std::to_string(op.success), success_response(op)},
                             {"400", problem_response("The request is malformed or invalid")},
                             {"401", problem_response("No valid admin token")},
                             {"403", problem_response("The token's scopes do not allow this")},
                             {"429", problem_response("Too many failed tokens from this address")}};
    if (pattern.find('{') != std::string::npos) {
      responses["404"] = problem_response("No such resource");
    }
    if (method == "POST" || method == "DELETE") {
      responses["409"] = problem_response("It exists already, or something depends on it");
    }
    if (op.handler != nullptr && pattern == "/suppressions" && method == "POST") {
      responses["200"] = success_response(
          {op.method, op.pattern, op.id, op.summary, op.tag, nullptr, 200, op.handler});
    }
    paths[pattern][lower(method)] = o;
  }
  paths["/openapi.json"]["get"] = {
      {"operationId", "getOpenApi"},
      {"summary", "This document"},
      {"tags", {"meta"}},
      {"security", nlohmann::json::array()},
      {"responses",
       {{"200",
         {{"description", "The OpenAPI 3.1 document"},
          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}};

  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "Herald admin API"},
            {"version", "1"},
            {"description",
             "Administration of a Herald SMTP submission server. Authenticate with an admin token "
             "(herald admin-token create) as 'Authorization: Bearer hat_...'. Errors are RFC 9457 "
             "problem documents; lists are paginated with cursors."}}},
          {"servers", {{{"url", std::string(kApiPrefix)}}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"schemas",
             {{"Problem",
               {{"type", "object"},
                {"required", {"type", "title", "status", "detail"}},
                {"properties",
                 {{"type", {{"type", "string"}}},
                  {"title", {{"type", "string"}}},
                  {"status", {{"type", "integer"}}},
                  {"detail", {{"type", "string"}}},
                  {"instance", {{"type", "string"}}}}}}},
              {"Page",
               {{"type", "object"},
                {"required", {"items", "next_cursor"}},
                {"properties",
                 {{"items", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                  {"next_cursor", {{"type", {"string", "null"}}}}}}}}}}}}};
}

}  // namespace herald::web
