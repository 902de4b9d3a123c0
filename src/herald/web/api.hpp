// web::Api — the admin API under /api/v1: one table of operations (method,
// path, summary, request body, handler) from which both the router and the
// OpenAPI 3.1 document are built, so the document describes exactly the
// routes served. Handlers are thin over admin::Admin and blocking (store,
// Argon2id): the caller runs handle() off any I/O thread. It must not touch
// sockets or TLS (admin_server does) or decide who is authenticated (the
// caller hands in the Actor).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "herald/admin/admin.hpp"
#include "herald/http/request_parser.hpp"
#include "herald/http/response.hpp"
#include "herald/http/router.hpp"

namespace herald::web {

struct Call {
  const admin::Actor& actor;
  const http::Request& request;
  const http::Match& match;
  std::vector<std::pair<std::string, std::string>> query;
};

using Handler = http::Response (*)(admin::Admin& admin, const Call& call);

struct Operation {
  const char* method;
  const char* pattern;  // below /api/v1
  const char* id;       // operationId
  const char* summary;
  const char* tag;
  // JSON Schema of the request body (a JSON text), or nullptr: no body.
  const char* request_schema;
  int success;  // the status of a success
  Handler handler;
};

class Api {
 public:
  explicit Api(admin::Admin& admin);

  // Routes a request below /api/v1 (the prefix already checked): a problem
  // document for an unknown path (404), method (405) or bad path (400).
  http::Response handle(const admin::Actor& actor, const http::Request& request);

  // The OpenAPI 3.1 document of every operation (GET /api/v1/openapi.json).
  const nlohmann::json& openapi() const { return openapi_; }
  const http::Router& router() const { return router_; }

 private:
  admin::Admin& admin_;
  http::Router router_;
  nlohmann::json openapi_;
};

// Every operation of the API, in the order the document lists them.
const std::vector<Operation>& operations();

// The OpenAPI 3.1 document for `operations`.
nlohmann::json openapi_document(const std::vector<Operation>& operations);

// A typed error of the admin layer as a problem document: invalid 400,
// forbidden 403, not_found 404, conflict 409, unavailable 503, failed 500.
http::Response problem_from(const base::Error& error);

inline constexpr std::string_view kApiPrefix = "/api/v1";

}  // namespace herald::web
