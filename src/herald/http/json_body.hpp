// http::JsonObject — strict decoding of a JSON request body: one object, no
// duplicate keys, bounded depth, typed getters, finish() refusing unknown
// fields. Never touches a socket, clock or disk; never throws on bad input.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::http {

enum class BodyErrorCode {
  wrong_content_type,  // 415: not application/json
  invalid_json,        // 400: syntax error, trailing garbage, bad UTF-8
  not_object,          // 400: the top level is not an object
  duplicate_key,       // 400: a key twice in one object
  too_deep,            // 400: nesting deeper than the limit
  missing_field,       // 400: a required field is absent
  wrong_type,          // 400: a field has another type (or is out of range)
  unknown_field,       // 400: a field no getter asked for
};

struct BodyError {
  BodyErrorCode code = BodyErrorCode::invalid_json;
  std::string field;     // the field concerned, or empty
  std::string expected;  // for wrong_type/missing_field: "a string", "an integer", ...
  std::string message;   // one sentence for the client

  int status() const { return code == BodyErrorCode::wrong_content_type ? 415 : 400; }
};

// A value or a BodyError.
template <class T>
using BodyResult = base::BasicResult<T, BodyError>;

// Content-Type must be application/json, optionally with charset=utf-8
// (any case, quoted or not); a missing header is refused too.
std::optional<BodyError> check_json_content_type(const std::string* content_type);

class JsonObject {
 public:
  static constexpr int kMaxDepth = 16;

  // Parses `body`: "invalid JSON at byte N" (N counts from 1) for a syntax
  // error or trailing data, then not_object, duplicate_key (nlohmann would
  // silently keep the last one), too_deep (the top object is depth 1), and
  // a NUL anywhere in a string, which no field of Herald's can hold.
  static BodyResult<JsonObject> parse(std::string_view body, int max_depth = kMaxDepth);

  JsonObject(JsonObject&&) noexcept;
  JsonObject& operator=(JsonObject&&) noexcept;
  ~JsonObject();

  // Getters mark the key as known (also when they fail). JSON null is a
  // wrong type, not "absent": a field is absent only if it is not there.
  BodyResult<std::string> required_string(std::string_view key);
  BodyResult<std::optional<std::string>> optional_string(std::string_view key);
  BodyResult<std::optional<std::vector<std::string>>> optional_string_list(std::string_view key);
  // Integers only (1.0 is refused), within [min, max].
  BodyResult<std::optional<std::int64_t>> optional_int(
      std::string_view key, std::int64_t min = std::numeric_limits<std::int64_t>::min(),
      std::int64_t max = std::numeric_limits<std::int64_t>::max());
  BodyResult<std::optional<bool>> optional_bool(std::string_view key);

  // Fails on the first key (in sorted order) no getter asked for:
  // unknown field "x"; known fields: a, b.
  std::optional<BodyError> finish() const;

  // The parsed object, for handlers that need more than the getters.
  const nlohmann::json& json() const;

 private:
  JsonObject();
  const nlohmann::json* find(std::string_view key);

  std::unique_ptr<nlohmann::json> value_;  // behind a pointer: json_fwd.hpp only here
  std::vector<std::string> known_;         // keys asked for, in the order asked
};

}  // namespace herald::http
