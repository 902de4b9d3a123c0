// delivery::wants_dsn and the small DSN codecs: RFC 3461 NOTIFY and RET
// semantics, xtext, splitting a message. Pure functions; build_dsn (dsn.cpp)
// uses them and so will the scheduler when it decides whether to bounce.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "herald/base/ascii.hpp"
#include "herald/delivery/dsn.hpp"

namespace herald::delivery {

std::string_view dsn_action_name(DsnAction action) {
  switch (action) {
    case DsnAction::failed:
      return "failed";
    case DsnAction::delayed:
      return "delayed";
    case DsnAction::delivered:
      return "delivered";
    case DsnAction::relayed:
      return "relayed";
    case DsnAction::expanded:
      return "expanded";
  }
  return "failed";
}

bool wants_dsn(std::string_view notify, DsnAction action, std::string_view sender) {
  if (sender.empty()) return false;
  std::string_view wanted;
  switch (action) {
    case DsnAction::failed:
      wanted = "FAILURE";
      break;
    case DsnAction::delayed:
      wanted = "DELAY";
      break;
    default:
      wanted = "SUCCESS";
      break;
  }
  if (notify.empty()) return action == DsnAction::failed;
  bool found = false;
  while (!notify.empty()) {
    auto comma = notify.find(',');
    std::string_view item = notify.substr(0, comma);
    notify = comma == std::string_view::npos ? std::string_view{} : notify.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (base::iequals(item, "NEVER")) return false;
    if (base::iequals(item, wanted)) found = true;
  }
  return found;
}

DsnReturn parse_dsn_return(std::string_view ret) {
  return base::iequals(ret, "FULL") ? DsnReturn::full : DsnReturn::headers;
}

std::string xtext_encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= '!' && u <= '~' && u != '+' && u != '=') {
      out += c;
    } else {
      out += fmt::format("+{:02X}", u);
    }
  }
  return out;
}

std::optional<std::string> xtext_decode(std::string_view xtext) {
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < xtext.size(); ++i) {
    const char c = xtext[i];
    if (c == '+') {
      if (i + 2 >= xtext.size()) return std::nullopt;
      const int hi = hex(xtext[i + 1]);
      const int lo = hex(xtext[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c < '!' || c > '~' || c == '=') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

MessageParts split_message(std::string_view message) {
  if (message.substr(0, 2) == "\r\n") return {{}, message.substr(2)};
  const auto blank = message.find("\r\n\r\n");
  if (blank == std::string_view::npos) return {message, {}};
  return {message.substr(0, blank + 2), message.substr(blank + 4)};
}

}  // namespace herald::delivery
