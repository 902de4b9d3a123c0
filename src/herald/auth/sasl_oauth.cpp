// auth::OauthServer — XOAUTH2 / OAUTHBEARER message parsing and the error
// challenge round trip. Hand-written: both formats are a few ^A-separated
// key=value pairs, and no library offers a sans-I/O server side.

#include "herald/auth/sasl_oauth.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "herald/auth/sasl_text.hpp"
#include "herald/base/ascii.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

using base::iequals;

constexpr char kSep = '\x01';

// RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+"
// / "/" ) *"=".
bool is_b64token(std::string_view t) {
  std::size_t i = 0;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  if (i == 0) return false;
  for (; i < t.size(); ++i) {
    if (t[i] != '=') return false;
  }
  return true;
}

// "Bearer" 1*SP b64token (RFC 7628 §3.1, scheme case-insensitive).
base::Result<SecretString> bearer_value(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme) ||
      value[kScheme.size()] != ' ') {
    return base::make_error("auth= does not hold a Bearer token");
  }
  std::string_view token = value.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!is_b64token(token)) return base::make_error("bearer token has invalid characters");
  return SecretString(token);
}

// Splits "k=v^A k=v^A ^A" into pairs; the message must end with the empty
// pair. Calls on_pair(key, value) for each; it returns an error to stop.
template <class OnPair>
base::Result<void> for_each_pair(std::string_view kvpairs, OnPair on_pair) {
  if (kvpairs.empty() || kvpairs.back() != kSep) {
    return base::make_error("message does not end with ^A^A");
  }
  kvpairs.remove_suffix(1);  // the terminating empty pair
  while (!kvpairs.empty()) {
    const std::size_t end = kvpairs.find(kSep);
    if (end == kvpairs.npos) return base::make_error("message does not end with ^A^A");
    const std::string_view pair = kvpairs.substr(0, end);
    kvpairs.remove_prefix(end + 1);
    const std::size_t eq = pair.find('=');
    if (eq == pair.npos || eq == 0) return base::make_error("a key=value pair is malformed");
    for (char c : pair.substr(0, eq)) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return base::make_error("a key=value pair has an invalid key");
      }
    }
    if (auto r = on_pair(pair.substr(0, eq), pair.substr(eq + 1)); !r) return r;
  }
  return {};
}

// RFC 5801 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is bad.
base::Result<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
      continue;
    }
    const std::string_view esc = s.substr(i + 1, 2);
    if (esc == "2C") {
      out += ',';
    } else if (esc == "3D") {
      out += '=';
    } else {
      return base::make_error("authorization identity has a bad = escape");
    }
    i += 2;
  }
  return out;
}

base::Result<SecretString> decode_message(std::string_view line_b64) {
  if (line_b64.size() > kMaxOauthResponseB64) {
    return base::make_error("SASL response is longer than 12288 characters");
  }
  if (line_b64 == "=" || line_b64.empty()) return base::make_error("SASL response is empty");
  auto decoded = base::base64_decode(line_b64);
  if (!decoded) return base::make_error("SASL response is " + decoded.error().message);
  SecretString out(*decoded);
  sodium_memzero(decoded->data(), decoded->size());
  return out;
}

}  // namespace

base::Result<BearerToken> parse_xoauth2(std::string_view message) {
  BearerToken out;
  bool have_user = false;
  bool have_auth = false;
  auto pairs = for_each_pair(message, [&](std::string_view key, std::string_view value) {
    if (key == "user" && !have_user) {
      have_user = true;
      out.authzid = std::string(value);
      return check_sasl_identity(value, "user");
    }
    if (key == "auth" && !have_auth) {
      have_auth = true;
      auto token = bearer_value(value);
      if (!token) return base::Result<void>(token.error());
      out.token = std::move(*token);
      return base::Result<void>();
    }
    return base::Result<void>(
        base::make_error("XOAUTH2 message has an unexpected or repeated key"));
  });
  if (!pairs) return base::make_error("XOAUTH2: " + pairs.error().message);
  if (!have_user || !have_auth) return base::make_error("XOAUTH2 message needs user= and auth=");
  return out;
}

base::Result<BearerToken> parse_oauthbearer(std::string_view message) {
  // gs2-header: cb-flag "," [ "a=" saslname ] ","
  const std::size_t comma1 = message.find(',');
  const std::size_t comma2 = comma1 == message.npos ? comma1 : message.find(',', comma1 + 1);
  if (comma2 == message.npos) return base::make_error("OAUTHBEARER: GS2 header is malformed");
  const std::string_view flag = message.substr(0, comma1);
  if (flag != "n" && flag != "y") {
    return base::make_error("OAUTHBEARER: channel binding is not supported");
  }
  BearerToken out;
  const std::string_view authzid = message.substr(comma1 + 1, comma2 - comma1 - 1);
  if (!authzid.empty()) {
    if (!authzid.starts_with("a=")) return base::make_error("OAUTHBEARER: GS2 header is malformed");
    auto name = decode_saslname(authzid.substr(2));
    if (!name) return base::make_error("OAUTHBEARER: " + name.error().message);
    if (auto c = check_sasl_identity(*name, "authorization identity"); !c) {
      return base::make_error("OAUTHBEARER: " + c.error().message);
    }
    out.authzid = std::move(*name);
  }
  std::string_view rest = message.substr(comma2 + 1);
  if (rest.empty() || rest.front() != kSep) {
    return base::make_error("OAUTHBEARER: ^A missing after the GS2 header");
  }
  rest.remove_prefix(1);
  bool have_auth = false;
  auto pairs = for_each_pair(rest, [&](std::string_view key, std::string_view value) {
    // RFC 7628 §3.1 value: *(VCHAR / SP / HTAB / CR / LF).
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (!((u >= 0x21 && u <= 0x7E) || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
        return base::Result<void>(base::make_error("a value has invalid characters"));
      }
    }
    if (key != "auth") return base::Result<void>();  // host, port and extensions: ignored
    if (have_auth) return base::Result<void>(base::make_error("auth= appears twice"));
    have_auth = true;
    auto token = bearer_value(value);
    if (!token) return base::Result<void>(token.error());
    out.token = std::move(*token);
    return base::Result<void>();
  });
  if (!pairs) return base::make_error("OAUTHBEARER: " + pairs.error().message);
  if (!have_auth) return base::make_error("OAUTHBEARER message has no auth=");
  return out;
}

std::string oauth_error_challenge(OauthMechanism mechanism, std::string_view scope) {
  nlohmann::json j;
  if (mechanism == OauthMechanism::xoauth2) {
    j["status"] = "401";
    j["schemes"] = "bearer";
  } else {
    j["status"] = "invalid_token";
  }
  if (!scope.empty()) j["scope"] = std::string(scope);
  return base::base64_encode(j.dump());
}

OauthStep OauthServer::start(std::optional<std::string_view> initial_b64) {
  if (state_ != State::idle) {
    state_ = State::done;
    return SaslFailure{"exchange already started"};
  }
  if (!initial_b64) {
    state_ = State::want_message;
    return SaslChallenge{""};
  }
  return take_message(*initial_b64);
}

OauthStep OauthServer::respond(std::string_view line_b64) {
  if (state_ == State::want_message) {
    if (is_sasl_cancel(line_b64)) {
      state_ = State::done;
      return SaslFailure{"authentication cancelled by the client", true};
    }
    return take_message(line_b64);
  }
  if (state_ == State::want_ack) {
    // RFC 7628 §3.2.3: the client answers the error with ^A (XOAUTH2
    // clients send an empty line); either way the answer is 535.
    state_ = State::done;
    return OauthRejected{"bearer token refused"};
  }
  state_ = State::done;
  return SaslFailure{std::string(name()) + " exchange is not waiting for a response"};
}

OauthStep OauthServer::reject(std::string_view scope) {
  if (state_ != State::want_verdict) {
    state_ = State::done;
    return SaslFailure{"no token is waiting for a verdict"};
  }
  state_ = State::want_ack;
  return SaslChallenge{oauth_error_challenge(mechanism_, scope)};
}

void OauthServer::accept() {
  state_ = State::done;
}

OauthStep OauthServer::take_message(std::string_view line_b64) {
  state_ = State::done;
  auto decoded = decode_message(line_b64);
  if (!decoded) return SaslFailure{decoded.error().message};
  auto parsed = mechanism_ == OauthMechanism::xoauth2 ? parse_xoauth2(decoded->view())
                                                      : parse_oauthbearer(decoded->view());
  if (!parsed) return SaslFailure{parsed.error().message};
  state_ = State::want_verdict;
  return std::move(*parsed);
}

}  // namespace herald::auth
