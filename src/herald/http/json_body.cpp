// JsonObject: a validating SAX pass over the body (syntax with the byte
// position, depth, duplicate keys, NUL in strings), then nlohmann's own DOM
// parse of a body now known to be good. Two passes over at most 1 MiB cost
// little, and the SAX pass stops at the first problem, so a deeply nested
// body is refused before anything is built from it.
#include "herald/http/json_body.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "herald/http/chars.hpp"

namespace herald::http {
namespace {

using Json = nlohmann::json;

BodyError make(BodyErrorCode code, std::string field, std::string expected, std::string message) {
  return BodyError{code, std::move(field), std::move(expected), std::move(message)};
}

// A key from the body, fit to quote in a message: at most 64 octets (not
// cutting a UTF-8 sequence), controls as '?', '"' and '\' escaped.
std::string quote_key(std::string_view key) {
  std::size_t n = std::min<std::size_t>(key.size(), 64);
  while (n < key.size() && n > 0 && (static_cast<unsigned char>(key[n]) & 0xC0) == 0x80) --n;
  std::string out = "\"";
  for (char c : key.substr(0, n)) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') out += '\\';
    out += (b < 0x20 || b == 0x7F) ? '?' : c;
  }
  if (n < key.size()) out += "...";
  return out + "\"";
}

// Checks what nlohmann's parser does not: duplicate keys, depth, NUL.
class Validator : public nlohmann::json_sax<Json> {
 public:
  explicit Validator(int max_depth) : max_depth_(max_depth) {}

  std::optional<BodyError> error;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool string(string_t& s) override { return no_nul(s, "a string value"); }

  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    if (!no_nul(k, "a key")) return false;
    if (!frames_.back().keys.insert(k).second) {
      error = make(BodyErrorCode::duplicate_key, k.substr(0, 256), {},
                   "The key " + quote_key(k) + " appears twice in one object; send it once.");
      return false;
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // what() is "[json.exception...] parse error at line 1, column 5: <why>;
    // last read: '<input>'": keep <why>, not the echoed input.
    std::string why = ex.what();
    const auto colon = why.find(": ");
    why = colon == std::string::npos ? std::string() : why.substr(colon + 2);
    why = why.substr(0, why.find("; last read"));
    error = make(BodyErrorCode::invalid_json, {}, {},
                 "The body is invalid JSON at byte " + std::to_string(position) +
                     (why.empty() ? std::string() : " (" + why + ")") + "; send one JSON object.");
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;
  };

  bool open(bool object) {
    if (frames_.empty() && !object) {
      error = make(BodyErrorCode::not_object, {}, "an object",
                   "The body must be a JSON object, not an array.");
      return false;
    }
    if (static_cast<int>(frames_.size()) >= max_depth_) {
      error = make(BodyErrorCode::too_deep, {}, {},
                   "The body nests objects and arrays deeper than " + std::to_string(max_depth_) +
                       " levels.");
      return false;
    }
    frames_.push_back(Frame{object, {}});
    return true;
  }

  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }

  bool no_nul(const std::string& s, const char* what) {
    if (s.find('\0') == std::string::npos) return true;
    error = make(BodyErrorCode::invalid_json, {}, {},
                 std::string("The body has ") + what + " holding U+0000, which no field accepts.");
    return false;
  }

  int max_depth_;
  std::vector<Frame> frames_;
};

std::string type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::number_float:
      return "a fractional number";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    default:
      return "another type";
  }
}

BodyError wrong_type(std::string_view key, std::string expected, const Json& got) {
  std::string message =
      "Field \"" + std::string(key) + "\" must be " + expected + ", not " + type_name(got) + ".";
  return make(BodyErrorCode::wrong_type, std::string(key), std::move(expected), std::move(message));
}

}  // namespace

std::optional<BodyError> check_json_content_type(const std::string* content_type) {
  const BodyError refused = make(BodyErrorCode::wrong_content_type, {}, "application/json",
                                 "Send the body with \"Content-Type: application/json\".");
  if (content_type == nullptr) return refused;
  std::string_view rest = *content_type;
  const auto semi = rest.find(';');
  if (!chars::iequals(chars::trim_ows(rest.substr(0, semi)), "application/json")) return refused;
  while (rest.find(';') != std::string_view::npos) {
    rest.remove_prefix(rest.find(';') + 1);
    const std::string_view param = chars::trim_ows(rest.substr(0, rest.find(';')));
    const auto eq = param.find('=');
    if (eq == std::string_view::npos || !chars::iequals(param.substr(0, eq), "charset")) {
      return refused;
    }
    std::string_view value = param.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!chars::iequals(value, "utf-8")) return refused;  // RFC 8259 §8.1: UTF-8 only
  }
  return std::nullopt;
}

JsonObject::JsonObject() : value_(std::make_unique<Json>()) {}
JsonObject::JsonObject(JsonObject&&) noexcept = default;
JsonObject& JsonObject::operator=(JsonObject&&) noexcept = default;
JsonObject::~JsonObject() = default;

const nlohmann::json& JsonObject::json() const {
  return *value_;
}

BodyResult<JsonObject> JsonObject::parse(std::string_view body, int max_depth) {
  // nlohmann's lexer reads a NUL octet as the end of input, so "{}" NUL
  // "{...}" would parse as "{}". A raw NUL is never valid JSON: refuse it.
  if (const auto nul = body.find('\0'); nul != std::string_view::npos) {
    return make(BodyErrorCode::invalid_json, {}, {},
                "The body is invalid JSON at byte " + std::to_string(nul + 1) +
                    " (a NUL octet); send one JSON object.");
  }
  Validator validator(max_depth);
  JsonObject out;
  try {
    const bool ok = Json::sax_parse(body, &validator, Json::input_format_t::json, /*strict=*/true);
    if (!ok || validator.error) {
      if (validator.error) return *validator.error;
      return make(BodyErrorCode::invalid_json, {}, {}, "The body is invalid JSON.");
    }
    *out.value_ = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {
    // Neither call throws for bad input (errors go to the validator, or
    // allow_exceptions=false); this is for allocation failure and the like.
    return make(BodyErrorCode::invalid_json, {}, {}, "The body could not be parsed.");
  }
  if (out.value_->is_discarded()) {
    return make(BodyErrorCode::invalid_json, {}, {}, "The body is invalid JSON.");
  }
  if (!out.value_->is_object()) {
    return make(BodyErrorCode::not_object, {}, "an object",
                "The body must be a JSON object, not " + type_name(*out.value_) + ".");
  }
  return out;
}

const Json* JsonObject::find(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  const auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

BodyResult<std::string> JsonObject::required_string(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) {
    return make(BodyErrorCode::missing_field, std::string(key), "a string",
                "Field \"" + std::string(key) + "\" is required (a string).");
  }
  if (!v->is_string()) return wrong_type(key, "a string", *v);
  return v->get<std::string>();
}

BodyResult<std::optional<std::string>> JsonObject::optional_string(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return wrong_type(key, "a string", *v);
  return std::optional<std::string>(v->get<std::string>());
}

BodyResult<std::optional<std::vector<std::string>>> JsonObject::optional_string_list(
    std::string_view key) {
  using List = std::vector<std::string>;
  const Json* v = find(key);
  if (v == nullptr) return std::optional<List>();
  if (!v->is_array()) return wrong_type(key, "an array of strings", *v);
  List out;
  for (const Json& item : *v) {
    if (!item.is_string()) return wrong_type(key, "an array of strings", item);
    out.push_back(item.get<std::string>());
  }
  return std::optional<List>(std::move(out));
}

BodyResult<std::optional<std::int64_t>> JsonObject::optional_int(std::string_view key,
                                                                 std::int64_t min,
                                                                 std::int64_t max) {
  const Json* v = find(key);
  if (v == nullptr) return std::optional<std::int64_t>();
  const std::string expected =
      "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_number_integer()) return wrong_type(key, expected, *v);
  bool in_range = false;
  std::int64_t n = 0;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    in_range = u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    n = in_range ? static_cast<std::int64_t>(u) : 0;
  } else {
    in_range = true;
    n = v->get<std::int64_t>();
  }
  if (!in_range || n < min || n > max) {
    return make(BodyErrorCode::wrong_type, std::string(key), expected,
                "Field \"" + std::string(key) + "\" must be " + expected + ".");
  }
  return std::optional<std::int64_t>(n);
}

BodyResult<std::optional<bool>> JsonObject::optional_bool(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return wrong_type(key, "a boolean", *v);
  return std::optional<bool>(v->get<bool>());
}

std::optional<BodyError> JsonObject::finish() const {
  for (const auto& item : value_->items()) {
    if (std::find(known_.begin(), known_.end(), item.key()) != known_.end()) continue;
    std::string list;
    for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
    return make(
        BodyErrorCode::unknown_field, item.key().substr(0, 256), {},
        "Unknown field " + quote_key(item.key()) + "; " +
            (list.empty() ? "this request takes no fields." : "known fields: " + list + "."));
  }
  return std::nullopt;
}

}  // namespace herald::http
