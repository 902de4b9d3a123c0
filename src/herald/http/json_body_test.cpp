// Tests for http::JsonObject and check_json_content_type: strict decoding
// (one object, no duplicate keys, bounded depth, no trailing data), typed
// getters that name the field and the expected type, and finish().
#include "herald/http/json_body.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace herald::http {
namespace {

using namespace std::string_literals;

JsonObject parse_ok(std::string_view body) {
  auto r = JsonObject::parse(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

BodyError parse_fails(std::string_view body) {
  auto r = JsonObject::parse(body);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? BodyError{} : r.error();
}

TEST(JsonBody, GettersAndFinish) {
  JsonObject o =
      parse_ok(R"({"name":"alice","quota":5,"admin":true,"aliases":["a","b"],"note":"x"})");
  EXPECT_EQ(*o.required_string("name"), "alice");
  EXPECT_EQ(*o.optional_int("quota"), 5);
  EXPECT_EQ(*o.optional_bool("admin"), true);
  EXPECT_EQ(*o.optional_string_list("aliases"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*o.optional_string("note"), "x");
  EXPECT_FALSE(o.optional_string("absent")->has_value());
  EXPECT_FALSE(o.optional_int("absent_int")->has_value());
  EXPECT_FALSE(o.optional_bool("absent_bool")->has_value());
  EXPECT_FALSE(o.optional_string_list("absent_list")->has_value());
  EXPECT_FALSE(o.finish().has_value());
  EXPECT_TRUE(o.json().is_object());
}

TEST(JsonBody, UnknownFieldNamesKnownOnes) {
  JsonObject o = parse_ok(R"({"a":"1","b":"2","x":3})");
  (void)o.required_string("a");
  (void)o.optional_string("b");
  const auto e = o.finish();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, BodyErrorCode::unknown_field);
  EXPECT_EQ(e->field, "x");
  EXPECT_EQ(e->message, R"(Unknown field "x"; known fields: a, b.)");
  EXPECT_EQ(e->status(), 400);

  JsonObject none = parse_ok(R"({"x":1})");
  EXPECT_EQ(none.finish()->message, R"(Unknown field "x"; this request takes no fields.)");
  EXPECT_FALSE(parse_ok("{}").finish().has_value());
}

TEST(JsonBody, UnknownFieldKeyIsQuotedSafely) {
  JsonObject o = parse_ok("{\"a\\\"b\\n" + std::string(100, 'k') + "\":1}");
  const std::string m = o.finish()->message;
  EXPECT_NE(m.find(R"("a\"b?kkk)"), std::string::npos) << m;
  EXPECT_NE(m.find("...\""), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(JsonBody, MissingRequired) {
  JsonObject o = parse_ok("{}");
  const auto r = o.required_string("name");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, BodyErrorCode::missing_field);
  EXPECT_EQ(r.error().field, "name");
  EXPECT_EQ(r.error().expected, "a string");
  EXPECT_NE(r.error().message.find("\"name\""), std::string::npos);
}

TEST(JsonBody, WrongTypesNameFieldAndExpectedType) {
  JsonObject o =
      parse_ok(R"({"s":1,"n":"1","f":1.0,"b":"true","l":"a","li":["a",2],"nul":null,"o":{}})");
  auto check = [](const BodyError& e, std::string_view field, std::string_view expected) {
    EXPECT_EQ(e.code, BodyErrorCode::wrong_type);
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.expected.rfind(expected, 0), 0u) << e.expected;
    EXPECT_NE(e.message.find("\"" + std::string(field) + "\""), std::string::npos);
    EXPECT_NE(e.message.find(expected), std::string::npos) << e.message;
  };
  check(o.required_string("s").error(), "s", "a string");
  check(o.optional_int("n").error(), "n", "an integer");
  check(o.optional_int("f").error(), "f", "an integer");
  check(o.optional_bool("b").error(), "b", "a boolean");
  check(o.optional_string_list("l").error(), "l", "an array of strings");
  check(o.optional_string_list("li").error(), "li", "an array of strings");
  check(o.optional_string("nul").error(), "nul", "a string");  // null is not "absent"
  check(o.optional_string("o").error(), "o", "a string");
  EXPECT_NE(o.required_string("s").error().message.find("not an integer"), std::string::npos);
  // Failed getters still count as known: finish() does not repeat them.
  EXPECT_FALSE(o.finish().has_value());
}

TEST(JsonBody, IntegerRange) {
  JsonObject o = parse_ok(
      R"({"a":-5,"b":101,"c":9223372036854775807,"d":9223372036854775808,"e":-9223372036854775808,"f":1e3})");
  EXPECT_EQ(*o.optional_int("a"), -5);
  EXPECT_EQ(o.optional_int("b", 0, 100).error().code, BodyErrorCode::wrong_type);
  EXPECT_EQ(o.optional_int("b", 0, 100).error().expected, "an integer from 0 to 100");
  EXPECT_EQ(*o.optional_int("c"), std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(o.optional_int("d").ok());
  EXPECT_EQ(*o.optional_int("e"), std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(o.optional_int("f").ok());
  EXPECT_FALSE(o.optional_int("a", 0).ok());
}

TEST(JsonBody, InvalidJsonReportsTheByte) {
  BodyError e = parse_fails(R"({"a":x})");
  EXPECT_EQ(e.code, BodyErrorCode::invalid_json);
  EXPECT_NE(e.message.find("invalid JSON at byte 6"), std::string::npos) << e.message;
  e = parse_fails("");
  EXPECT_NE(e.message.find("at byte 1"), std::string::npos) << e.message;
  for (const std::string bad :
       {"{", "{\"a\":1,}", "{'a':1}", "{\"a\":01}", "{a:1}", "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}",
        "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\\ud800\"}", "{\"a\":NaN}", "/*c*/{}"}) {
    EXPECT_EQ(parse_fails(bad).code, BodyErrorCode::invalid_json) << bad;
  }
}

TEST(JsonBody, TrailingGarbageIsRefused) {
  const std::pair<std::string, int> cases[] = {
      {"{} x", 4},
      {"{}{}", 3},
      {"{} {\"a\":1}", 4},
      {"{},", 3},
      {"{}]", 3},
      // nlohmann reads NUL as the end of input; it must not hide what follows.
      {"{}\0{\"a\":1}"s, 3},
      {"{\"a\":1}\0"s, 8},
      {"\0"s, 1},
  };
  for (const auto& [body, byte] : cases) {
    const BodyError e = parse_fails(body);
    EXPECT_EQ(e.code, BodyErrorCode::invalid_json) << body;
    EXPECT_NE(e.message.find("at byte " + std::to_string(byte) + " "), std::string::npos)
        << e.message;
  }
  EXPECT_TRUE(JsonObject::parse(" {} \r\n\t").ok());  // whitespace is not garbage
}

TEST(JsonBody, NotAnObject) {
  for (const char* bad : {"[]", "[1,2]", "\"s\"", "1", "null", "true"}) {
    const BodyError e = parse_fails(bad);
    EXPECT_EQ(e.code, BodyErrorCode::not_object) << bad;
    EXPECT_EQ(e.expected, "an object");
  }
}

TEST(JsonBody, DuplicateKeysAnywhere) {
  for (const char* bad : {R"({"a":1,"a":2})", R"({"a":1,"b":{"c":1,"c":1}})",
                          R"({"l":[{"x":1},{"y":1,"y":2}]})", R"({"a":1,"\u0061":2})"}) {
    const BodyError e = parse_fails(bad);
    EXPECT_EQ(e.code, BodyErrorCode::duplicate_key) << bad;
  }
  EXPECT_EQ(parse_fails(R"({"name":1,"name":2})").field, "name");
  // The same key in sibling objects is fine.
  EXPECT_TRUE(JsonObject::parse(R"({"l":[{"x":1},{"x":2}],"m":{"x":3}})").ok());
}

std::string nested(int depth) {
  // depth 1 is the top object; each further level is one array.
  std::string s = "{\"a\":";
  s += std::string(depth - 1, '[');
  s += "1";
  s += std::string(depth - 1, ']');
  return s + "}";
}

TEST(JsonBody, DepthLimit) {
  EXPECT_TRUE(JsonObject::parse(nested(16)).ok());
  EXPECT_EQ(parse_fails(nested(17)).code, BodyErrorCode::too_deep);
  EXPECT_TRUE(JsonObject::parse(nested(4), 4).ok());
  EXPECT_FALSE(JsonObject::parse(nested(5), 4).ok());
  // A depth bomb is refused early, without building anything or crashing.
  const std::string bomb = "{\"a\":" + std::string(200000, '[');
  EXPECT_EQ(parse_fails(bomb).code, BodyErrorCode::too_deep);
}

TEST(JsonBody, NulInStringsOrKeys) {
  EXPECT_EQ(parse_fails(R"({"a":"x\u0000y"})").code, BodyErrorCode::invalid_json);
  EXPECT_EQ(parse_fails(R"({"a\u0000":"x"})").code, BodyErrorCode::invalid_json);
  EXPECT_EQ(parse_fails(R"({"a":["\u0000"]})").code, BodyErrorCode::invalid_json);
}

TEST(JsonBody, UnicodeIsKept) {
  JsonObject o = parse_ok(R"({"n":"j\u00f6rg \ud83d\ude00","m":"é"})");
  EXPECT_EQ(*o.required_string("n"), "j\xc3\xb6rg \xf0\x9f\x98\x80");
  EXPECT_EQ(*o.required_string("m"), "\xc3\xa9");
}

TEST(JsonBody, ContentType) {
  const std::string ok[] = {"application/json",
                            "Application/JSON",
                            "application/json; charset=utf-8",
                            "application/json;charset=UTF-8",
                            "application/json; charset=\"utf-8\"",
                            " application/json "};
  for (const std::string& v : ok) EXPECT_FALSE(check_json_content_type(&v).has_value()) << v;
  const std::string bad[] = {"text/plain",
                             "application/jsonx",
                             "application/json; charset=latin1",
                             "application/json; foo=bar",
                             "application/problem+json",
                             "application/json;",
                             "",
                             "application/x-www-form-urlencoded"};
  for (const std::string& v : bad) {
    const auto e = check_json_content_type(&v);
    ASSERT_TRUE(e.has_value()) << v;
    EXPECT_EQ(e->code, BodyErrorCode::wrong_content_type);
    EXPECT_EQ(e->status(), 415);
  }
  EXPECT_EQ(check_json_content_type(nullptr)->status(), 415);
}

}  // namespace
}  // namespace herald::http
