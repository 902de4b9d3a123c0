// smtp::Reply — a reply code, its enhanced status code (RFC 3463) and words
// a person understands; formatting to the wire, including multi-line replies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace herald::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "2.0.0"; empty only for 220/221 banners and 334
  std::string text;
};

// "CODE ENH TEXT\r\n"; text must not contain CR or LF.
std::string format_reply(const Reply& reply);

// Multi-line reply: "CODE-line1\r\n ... CODE last\r\n" (no enhanced code,
// as for EHLO responses).
std::string format_multiline(int code, const std::vector<std::string>& lines);

}  // namespace herald::smtp
