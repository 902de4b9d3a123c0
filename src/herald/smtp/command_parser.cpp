// SMTP command grammar (RFC 5321 §4.1.1, ESMTP parameters of RFC 1870, 6152,
// 6531, 4954 §5, 3461 and RFC 3030 BDAT). Hand-written: the grammar is small
// and every accepted byte must be accounted for; no library fits sans-I/O.
#include "herald/smtp/command_parser.hpp"

#include <array>
#include <limits>
#include <utility>
#include <vector>

#include "herald/base/ascii.hpp"

namespace herald::smtp {
namespace {

using base::iequals;

constexpr std::size_t kMaxEnvid = 100;  // RFC 3461 §4.4
constexpr std::size_t kMaxOrcpt = 500;  // RFC 3461 §4.2

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Reply syntax(std::string text) {
  return Reply{501, "5.5.4", std::move(text)};
}
Reply param_error(std::string text) {
  return Reply{555, "5.5.4", std::move(text)};
}

// Digits only, at most 20 of them; values above 2^64-1 saturate (they are
// refused later as too big rather than as bad syntax).
std::optional<std::uint64_t> parse_size(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = (v > (kMax - d) / 10) ? kMax : v * 10 + d;
  }
  return v;
}

// xtext (RFC 3461 §4): xchar = "!".."~" except "+" and "="; hexchar = "+"
// two upper-case hex digits. Returns the decoded text.
std::optional<std::string> decode_xtext(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      if (i + 2 >= s.size()) return std::nullopt;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      const int hi = hex(s[i + 1]);
      const int lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
      continue;
    }
    if (c < '!' || c > '~' || c == '=') return std::nullopt;
    out += c;
  }
  return out;
}

bool is_esmtp_keyword(std::string_view s) {
  if (s.empty() || !is_alnum(s.front())) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_esmtp_value(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '!' || c > '~' || c == '=') return false;
  }
  return true;
}

// Keyword for an error message: already validated as [A-Za-z0-9-], cut short
// so a hostile client cannot make us echo a long string.
std::string shown(std::string_view keyword) {
  return base::ascii_upper(keyword.substr(0, 32));
}

struct Param {
  std::string_view key;
  std::string_view value;
  bool has_value = false;
};

// Splits "K=V K2 K3=V3" (one or more spaces between) into parameters.
std::optional<Reply> split_params(std::string_view s, std::vector<Param>& out) {
  while (true) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    std::size_t end = s.find(' ');
    const std::string_view token = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    Param p;
    const std::size_t eq = token.find('=');
    p.key = token.substr(0, eq);
    if (eq != std::string_view::npos) {
      p.value = token.substr(eq + 1);
      p.has_value = true;
    }
    if (!is_esmtp_keyword(p.key)) {
      return syntax("Malformed parameter; parameters look like KEYWORD or KEYWORD=value.");
    }
    if (p.has_value && !is_esmtp_value(p.value)) {
      return syntax("Malformed value for parameter " + shown(p.key) + ".");
    }
    for (const Param& seen : out) {
      if (iequals(seen.key, p.key)) {
        return param_error("Parameter " + shown(p.key) + " was given twice.");
      }
    }
    out.push_back(p);
  }
}

// Finds the end of "<...>" at the start of `s`, honouring quoted local parts
// that may contain ">" or spaces. Returns the length including ">" or 0.
std::size_t path_length(std::string_view s) {
  if (s.empty() || s.front() != '<') return 0;
  bool quoted = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return 0;
}

std::optional<Reply> apply_mail_param(const Param& p, MailParameters& m) {
  const std::string key = base::ascii_upper(p.key);
  auto needs_value = [&]() -> std::optional<Reply> {
    if (!p.has_value) return syntax("Parameter " + key + " needs a value.");
    return std::nullopt;
  };
  if (key == "SIZE") {
    if (auto e = needs_value()) return e;
    auto v = parse_size(p.value);
    if (!v) return syntax("SIZE must be a number of octets, as in SIZE=12345.");
    m.size = *v;
  } else if (key == "BODY") {
    if (auto e = needs_value()) return e;
    const std::string v = base::ascii_upper(p.value);
    if (v != "7BIT" && v != "8BITMIME") {
      return param_error("BODY must be 7BIT or 8BITMIME; BINARYMIME is not supported.");
    }
    m.body = v;
  } else if (key == "SMTPUTF8") {
    if (p.has_value) return syntax("SMTPUTF8 takes no value.");
    m.smtputf8 = true;
  } else if (key == "AUTH") {
    if (auto e = needs_value()) return e;
    auto v = decode_xtext(p.value);
    if (!v) return syntax("AUTH= must be xtext (RFC 4954 section 5), or <>.");
    m.auth = std::move(*v);
  } else if (key == "RET") {
    if (auto e = needs_value()) return e;
    const std::string v = base::ascii_upper(p.value);
    if (v != "FULL" && v != "HDRS") return syntax("RET must be FULL or HDRS.");
    m.ret = v;
  } else if (key == "ENVID") {
    if (auto e = needs_value()) return e;
    if (p.value.size() > kMaxEnvid || !decode_xtext(p.value)) {
      return syntax("ENVID must be xtext of at most 100 characters.");
    }
    m.envid = std::string(p.value);  // kept encoded: DSNs echo it as xtext
  } else {
    return param_error("Unsupported MAIL parameter " + shown(p.key) + ".");
  }
  return std::nullopt;
}

std::optional<Reply> apply_rcpt_param(const Param& p, RcptParameters& r) {
  const std::string key = base::ascii_upper(p.key);
  if (key == "NOTIFY") {
    if (!p.has_value) return syntax("NOTIFY needs a value: NEVER, or SUCCESS,FAILURE,DELAY.");
    const std::string v = base::ascii_upper(p.value);
    if (v != "NEVER") {
      std::array<bool, 3> seen{};
      std::string_view rest = v;
      while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        int idx = item == "SUCCESS" ? 0 : item == "FAILURE" ? 1 : item == "DELAY" ? 2 : -1;
        if (idx < 0 || seen[static_cast<std::size_t>(idx)]) {
          return syntax("NOTIFY must be NEVER, or a list of SUCCESS, FAILURE and DELAY.");
        }
        seen[static_cast<std::size_t>(idx)] = true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    r.notify = v;
  } else if (key == "ORCPT") {
    if (!p.has_value) return syntax("ORCPT needs a value, as in ORCPT=rfc822;user@example.com.");
    const std::size_t semi = p.value.find(';');
    const bool ok = semi != std::string_view::npos && semi > 0 && semi + 1 < p.value.size() &&
                    p.value.size() <= kMaxOrcpt && is_esmtp_keyword(p.value.substr(0, semi)) &&
                    decode_xtext(p.value.substr(semi + 1)).has_value();
    if (!ok) return syntax("ORCPT must be addr-type;xtext, as in ORCPT=rfc822;user@example.com.");
    r.orcpt = std::string(p.value);
  } else {
    return param_error("Unsupported RCPT parameter " + shown(p.key) + ".");
  }
  return std::nullopt;
}

// The part MAIL and RCPT share: "KEYWORD:<path> [params]" split into the
// path and its parameters, or cmd.error set to `usage`.
bool split_path_command(std::string_view args, std::string_view keyword, const Reply& usage,
                        Command& cmd, std::string_view& path, std::vector<Param>& params) {
  if (!istarts_with(args, keyword)) {
    cmd.error = usage;
    return false;
  }
  args.remove_prefix(keyword.size());
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  const std::size_t n = path_length(args);
  if (n == 0) {
    cmd.error = usage;
    return false;
  }
  path = args.substr(0, n);
  const std::string_view rest = args.substr(n);
  if (!rest.empty() && rest.front() != ' ') {
    cmd.error = usage;
    return false;
  }
  if (auto e = split_params(rest, params)) {
    cmd.error = std::move(e);
    return false;
  }
  return true;
}

void parse_mail(std::string_view args, Command& cmd) {
  std::string_view path;
  std::vector<Param> params;
  if (!split_path_command(args, "FROM:", syntax("Syntax: MAIL FROM:<address> [parameters]"), cmd,
                          path, params)) {
    return;
  }
  for (const Param& p : params) {
    if (auto e = apply_mail_param(p, cmd.mail)) {
      cmd.error = std::move(e);
      return;
    }
  }
  auto parsed = mail::parse_path(path, cmd.mail.smtputf8, mail::PathKind::reverse);
  if (!parsed) {
    cmd.error = Reply{501, "5.1.7", "Bad sender address: " + parsed.error().message};
    return;
  }
  cmd.path = std::move(parsed).value();
}

void parse_rcpt(std::string_view args, bool smtputf8, Command& cmd) {
  std::string_view path;
  std::vector<Param> params;
  if (!split_path_command(args, "TO:", syntax("Syntax: RCPT TO:<address> [parameters]"), cmd, path,
                          params)) {
    return;
  }
  for (const Param& p : params) {
    if (auto e = apply_rcpt_param(p, cmd.rcpt)) {
      cmd.error = std::move(e);
      return;
    }
  }
  auto parsed = mail::parse_path(path, smtputf8, mail::PathKind::forward);
  if (!parsed) {
    cmd.error = Reply{501, "5.1.3", "Bad recipient address: " + parsed.error().message};
    return;
  }
  cmd.path = std::move(parsed).value();
}

void parse_hello(std::string_view args, Command& cmd) {
  const bool ehlo = cmd.verb == Verb::ehlo;
  // One token only. Underscores are tolerated: Windows machine names carry
  // them and refusing those clients buys no safety.
  const bool ok = !args.empty() && args.find(' ') == std::string_view::npos &&
                  (args.front() == '[' ? mail::is_valid_address_literal(args)
                                       : mail::is_valid_domain(args, false, true));
  if (!ok) {
    cmd.error = syntax(std::string(ehlo ? "EHLO" : "HELO") +
                       " needs your host name: a domain, or an address literal like "
                       "[192.0.2.1].");
    return;
  }
  cmd.argument = std::string(args);
}

void parse_bdat(std::string_view args, Command& cmd) {
  const Reply usage = syntax("Syntax: BDAT size [LAST]");
  const std::size_t sp = args.find(' ');
  const std::string_view size = args.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : args.substr(sp);
  rest = trim_spaces(rest);
  // A size that overflows cannot be skipped either, so it is a syntax error.
  auto v = parse_size(size);
  if (!v || *v == std::numeric_limits<std::uint64_t>::max()) {
    cmd.error = usage;
    return;
  }
  cmd.bdat_size = *v;
  if (rest.empty()) return;
  if (!iequals(rest, "LAST")) {
    cmd.error = usage;
    return;
  }
  cmd.bdat_last = true;
}

bool is_mechanism_name(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool is_base64(std::string_view s) {
  if (s == "=") return true;
  if (s.empty() || s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (char c : s) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;  // data after padding
    if (!is_alnum(c) && c != '+' && c != '/') return false;
  }
  return pad <= 2;
}

void parse_auth(std::string_view args, Command& cmd) {
  const std::size_t sp = args.find(' ');
  const std::string_view mech = args.substr(0, sp);
  const std::string_view initial =
      sp == std::string_view::npos ? std::string_view{} : trim_spaces(args.substr(sp));
  if (!is_mechanism_name(mech)) {
    cmd.error = syntax("Syntax: AUTH mechanism [initial-response]");
    return;
  }
  cmd.argument = base::ascii_upper(mech);
  if (sp == std::string_view::npos) return;
  if (!is_base64(initial)) {
    cmd.error = Reply{501, "5.5.2", "The initial response must be base64, or = when empty."};
    return;
  }
  cmd.auth_initial = std::string(initial);
  cmd.has_auth_initial = true;
}

struct VerbName {
  std::string_view name;
  Verb verb;
};

constexpr std::array<VerbName, 14> kVerbs{{
    {"EHLO", Verb::ehlo},
    {"HELO", Verb::helo},
    {"MAIL", Verb::mail},
    {"RCPT", Verb::rcpt},
    {"DATA", Verb::data},
    {"BDAT", Verb::bdat},
    {"RSET", Verb::rset},
    {"NOOP", Verb::noop},
    {"QUIT", Verb::quit},
    {"VRFY", Verb::vrfy},
    {"EXPN", Verb::expn},
    {"HELP", Verb::help},
    {"STARTTLS", Verb::starttls},
    {"AUTH", Verb::auth},
}};

}  // namespace

std::string_view verb_name(Verb verb) {
  for (const VerbName& v : kVerbs) {
    if (v.verb == verb) return v.name;
  }
  return "unknown";
}

Command parse_command(std::string_view line, bool rcpt_smtputf8) {
  Command cmd;
  // Trailing blanks are a common client sloppiness ("DATA "); they carry no
  // meaning, so they are dropped rather than refused.
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const std::size_t sp = line.find(' ');
  const std::string_view word = line.substr(0, sp);
  std::string_view args = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);

  for (const VerbName& v : kVerbs) {
    if (iequals(word, v.name)) {
      cmd.verb = v.verb;
      break;
    }
  }
  auto no_args = [&](std::string_view name) {
    if (!args.empty()) cmd.error = syntax(std::string(name) + " takes no arguments.");
  };

  switch (cmd.verb) {
    case Verb::unknown:
      cmd.error =
          Reply{500, "5.5.2", line.empty() ? "Empty command line" : "Command not recognized"};
      break;
    case Verb::ehlo:
    case Verb::helo:
      parse_hello(args, cmd);
      break;
    case Verb::mail:
      parse_mail(args, cmd);
      break;
    case Verb::rcpt:
      parse_rcpt(args, rcpt_smtputf8, cmd);
      break;
    case Verb::data:
      no_args("DATA");
      break;
    case Verb::rset:
      no_args("RSET");
      break;
    case Verb::starttls:
      no_args("STARTTLS");
      break;
    case Verb::quit:
      break;  // whatever follows QUIT, the client wants to leave
    case Verb::bdat:
      parse_bdat(args, cmd);
      break;
    case Verb::auth:
      parse_auth(args, cmd);
      break;
    case Verb::vrfy:
    case Verb::expn:
      if (args.empty()) {
        cmd.error = syntax(std::string("Syntax: ") + std::string(verb_name(cmd.verb)) + " address");
      }
      cmd.argument = std::string(args);
      break;
    case Verb::noop:
    case Verb::help:
      cmd.argument = std::string(args);
      break;
  }
  return cmd;
}

}  // namespace herald::smtp
