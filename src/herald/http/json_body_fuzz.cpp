// libFuzzer target for http::JsonObject: no exception escapes whatever the
// body; an accepted body is a JSON object nlohmann agrees with, no deeper
// than the limit; getters and finish() give typed errors, never throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "herald/http/json_body.hpp"
#include "herald/http/problem.hpp"

using herald::http::JsonObject;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

int depth_of(const nlohmann::json& v) {
  if (!v.is_structured()) return 0;
  int deepest = 0;
  for (const auto& item : v) deepest = std::max(deepest, depth_of(item));
  return deepest + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const std::string ct = body.substr(0, 64);
  (void)herald::http::check_json_content_type(&ct);

  auto parsed = JsonObject::parse(body);
  if (!parsed.ok()) {
    check(!parsed.error().message.empty());
    (void)herald::http::serialize(herald::http::from_body_error(parsed.error()), true);
    return 0;
  }
  JsonObject& object = *parsed;
  const nlohmann::json reference = nlohmann::json::parse(body, nullptr, false);
  check(!reference.is_discarded() && reference.is_object());
  check(reference == object.json());
  check(depth_of(reference) <= JsonObject::kMaxDepth);

  // Ask for each key with a getter chosen by its length, then a missing one.
  std::size_t asked = 0;
  for (const auto& item : reference.items()) {
    const std::string& key = item.key();
    bool ok = false;
    switch ((key.size() + asked++) % 5) {
      case 0:
        ok = object.required_string(key).ok();
        break;
      case 1:
        ok = object.optional_string(key).ok();
        break;
      case 2:
        ok = object.optional_string_list(key).ok();
        break;
      case 3:
        ok = object.optional_int(key, -1000, 1000).ok();
        break;
      default:
        ok = object.optional_bool(key).ok();
        break;
    }
    (void)ok;
    if (asked > 8) break;
  }
  if (!reference.contains("\x01missing")) check(!object.required_string("\x01missing").ok());
  const auto unknown = object.finish();
  check(unknown.has_value() == (asked < reference.size()));
  if (unknown) (void)herald::http::from_body_error(*unknown);
  return 0;
}
