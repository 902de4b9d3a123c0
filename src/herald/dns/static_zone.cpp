// dns::StaticZone — a small zone-file line parser and an in-memory lookup.
// Hand-written because the accepted syntax is a tiny subset (six types, no
// $ORIGIN, no relative names, no parentheses) and errors must name the
// config entry; libunbound's local-data would answer but not explain.
#include "herald/dns/static_zone.hpp"

#include <asio/ip/address.hpp>
#include <charconv>
#include <utility>
#include <vector>

#include "herald/base/hex.hpp"

namespace herald::dns {

namespace {

using base::make_error;
using base::Result;

struct Token {
  std::string text;
  bool quoted = false;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Reads a quoted string starting after its opening quote. Escapes follow
// RFC 1035 §5.1: \X is X itself, \DDD a decimal byte.
Result<std::string> read_quoted(std::string_view line, std::size_t& i) {
  std::string text;
  while (i < line.size()) {
    const char c = line[i++];
    if (c == '"') return text;
    if (c != '\\') {
      text += c;
      continue;
    }
    if (i >= line.size()) break;
    if (is_digit(line[i])) {
      if (i + 3 > line.size() || !is_digit(line[i + 1]) || !is_digit(line[i + 2])) {
        return make_error("\\DDD escape needs three digits");
      }
      const int value = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
      if (value > 255) return make_error("\\DDD escape above 255");
      text += static_cast<char>(value);
      i += 3;
    } else {
      text += line[i++];
    }
  }
  return make_error("unterminated quoted string");
}

Result<std::vector<Token>> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_space(c)) {
      ++i;
    } else if (c == ';') {
      break;  // comment to the end of the entry
    } else if (c == '"') {
      ++i;
      auto text = read_quoted(line, i);
      if (!text) return text.error();
      if (i < line.size() && !is_space(line[i]) && line[i] != ';') {
        return make_error("text right after a closing quote");
      }
      tokens.push_back({std::move(text).value(), true});
    } else {
      const std::size_t start = i;
      while (i < line.size() && !is_space(line[i]) && line[i] != ';') {
        if (line[i] == '"' || line[i] == '\\')
          return make_error("quote or backslash inside a word");
        ++i;
      }
      tokens.push_back({std::string(line.substr(start, i - start)), false});
    }
  }
  return tokens;
}

Result<std::string> parse_name(const Token& token, bool allow_root, std::string_view what) {
  const std::string w(what);
  if (token.quoted) return make_error(w + " must not be quoted");
  if (token.text == ".") {
    if (allow_root) return std::string(".");
    return make_error(w + " cannot be the root \".\"");
  }
  std::string name = normalize_name(token.text);
  if (name.size() > 253) return make_error(w + " is longer than 253 characters");
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0) return make_error(w + " \"" + token.text + "\" has an empty label");
      if (label > 63) return make_error(w + " has a label longer than 63 characters");
      label = 0;
      continue;
    }
    const char c = name[i];
    if (!is_alnum(c) && c != '-' && c != '_') {
      return make_error(w + " \"" + token.text + "\" has a character not allowed in a name");
    }
    ++label;
  }
  return name;
}

Result<unsigned> parse_number(const Token& token, unsigned max, std::string_view what) {
  unsigned value = 0;
  const char* end = token.text.data() + token.text.size();
  auto [ptr, ec] = std::from_chars(token.text.data(), end, value);
  if (token.quoted || token.text.empty() || ec != std::errc() || ptr != end || value > max) {
    return make_error(std::string(what) + " \"" + token.text + "\" is not a number 0-" +
                      std::to_string(max));
  }
  return value;
}

Result<void> expect_count(std::span<const Token> rdata, std::size_t count, std::string_view type) {
  if (rdata.size() == count) return {};
  return make_error(std::string(type) + " takes " + std::to_string(count) +
                    (count == 1 ? " value" : " values") + ", found " +
                    std::to_string(rdata.size()));
}

Result<Answer> parse_rdata(RecordType type, std::span<const Token> rdata) {
  Answer answer;
  answer.status = Status::ok;
  answer.secure = true;  // see the header: static records are as trusted as the config
  const std::string_view name = to_string(type);
  if (rdata.empty()) return make_error(std::string(name) + " record has no data");
  switch (type) {
    case RecordType::A:
    case RecordType::AAAA: {
      if (auto ok = expect_count(rdata, 1, name); !ok) return ok.error();
      asio::error_code ec;
      const asio::ip::address address =
          type == RecordType::A ? asio::ip::address(asio::ip::make_address_v4(rdata[0].text, ec))
                                : asio::ip::address(asio::ip::make_address_v6(rdata[0].text, ec));
      if (ec || rdata[0].quoted) {
        return make_error("\"" + rdata[0].text + "\" is not an IPv" +
                          (type == RecordType::A ? "4" : "6") + " address");
      }
      answer.addresses.push_back(address);
      break;
    }
    case RecordType::MX: {
      if (auto ok = expect_count(rdata, 2, name); !ok) return ok.error();
      auto preference = parse_number(rdata[0], 65535, "MX preference");
      if (!preference) return preference.error();
      auto exchange = parse_name(rdata[1], true, "MX exchange");
      if (!exchange) return exchange.error();
      answer.mx.push_back({static_cast<std::uint16_t>(*preference), std::move(exchange).value()});
      break;
    }
    case RecordType::TXT: {
      std::string joined;
      for (const Token& token : rdata) {
        // A real TXT record cannot hold a longer character-string; refusing
        // it keeps static answers identical to what DNS could serve.
        if (token.text.size() > 255) {
          return make_error("TXT string longer than 255 bytes: split it into quoted strings");
        }
        joined += token.text;
      }
      answer.txt.push_back(std::move(joined));
      break;
    }
    case RecordType::TLSA: {
      if (rdata.size() < 4) return make_error("TLSA needs usage, selector, matching type and data");
      auto usage = parse_number(rdata[0], 255, "TLSA usage");
      if (!usage) return usage.error();
      auto selector = parse_number(rdata[1], 255, "TLSA selector");
      if (!selector) return selector.error();
      auto matching = parse_number(rdata[2], 255, "TLSA matching type");
      if (!matching) return matching.error();
      std::string hex;
      for (const Token& token : rdata.subspan(3)) hex += token.text;  // zone files may split it
      auto data = base::hex_decode(hex);
      if (!data) return make_error("TLSA data is not hexadecimal");
      Tlsa tlsa{static_cast<std::uint8_t>(*usage),
                static_cast<std::uint8_t>(*selector),
                static_cast<std::uint8_t>(*matching),
                {}};
      tlsa.data.assign(data->begin(), data->end());
      answer.tlsa.push_back(std::move(tlsa));
      break;
    }
    case RecordType::CNAME: {
      if (auto ok = expect_count(rdata, 1, name); !ok) return ok.error();
      auto target = parse_name(rdata[0], false, "CNAME target");
      if (!target) return target.error();
      answer.cname.push_back(std::move(target).value());
      break;
    }
  }
  return answer;
}

struct Parsed {
  std::string owner;
  RecordType type;
  Answer rdata;
};

// Returns nullopt-like empty owner for a blank or comment-only entry.
Result<Parsed> parse_line(std::string_view line) {
  auto tokens = tokenize(line);
  if (!tokens) return tokens.error();
  std::span<const Token> rest(*tokens);
  if (rest.empty()) return Parsed{"", RecordType::A, {}};
  auto owner = parse_name(rest[0], false, "name");
  if (!owner) return owner.error();
  rest = rest.subspan(1);
  // TTL and class may come in either order (RFC 1035 §5.1); both are ignored:
  // static answers do not expire, and IN is the only class.
  bool seen_ttl = false;
  bool seen_class = false;
  while (!rest.empty() && !rest[0].quoted) {
    const std::string& word = rest[0].text;
    if (!seen_ttl && !word.empty() && is_digit(word[0])) {
      if (auto ttl = parse_number(rest[0], 2147483647u, "TTL"); !ttl) return ttl.error();
      seen_ttl = true;
    } else if (!seen_class && (word == "IN" || word == "in" || word == "In" || word == "iN")) {
      seen_class = true;
    } else {
      break;
    }
    rest = rest.subspan(1);
  }
  if (rest.empty()) return make_error("missing record type");
  auto type = rest[0].quoted ? std::nullopt : parse_record_type(rest[0].text);
  if (!type) {
    return make_error("unknown record type \"" + rest[0].text +
                      "\" (supported: A, AAAA, MX, TXT, TLSA, CNAME)");
  }
  auto rdata = parse_rdata(*type, rest.subspan(1));
  if (!rdata) return rdata.error();
  return Parsed{std::move(owner).value(), *type, std::move(rdata).value()};
}

void merge(Answer& into, Answer&& from) {
  auto append = [](auto& to, auto& more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  };
  append(into.addresses, from.addresses);
  append(into.mx, from.mx);
  append(into.txt, from.txt);
  append(into.tlsa, from.tlsa);
  append(into.cname, from.cname);
}

std::string entry_label(std::size_t line, std::string_view text) {
  constexpr std::size_t kShown = 80;  // enough to recognise the entry
  std::string shown(text.substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  return "[dns] static entry " + std::to_string(line) + " (\"" + shown + "\")";
}

}  // namespace

Result<StaticZone> StaticZone::parse(std::span<const std::string> lines) {
  StaticZone zone;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto parsed = parse_line(lines[i]);
    if (!parsed) return make_error(entry_label(i + 1, lines[i]) + ": " + parsed.error().message);
    if (parsed->owner.empty()) continue;
    auto added = zone.add(i + 1, std::move(parsed->owner), parsed->type, std::move(parsed->rdata));
    if (!added) return make_error(entry_label(i + 1, lines[i]) + ": " + added.error().message);
  }
  if (auto chains = zone.check_cname_chains(); !chains) return chains.error();
  return zone;
}

Result<void> StaticZone::add(std::size_t line, std::string owner, RecordType type, Answer rdata) {
  auto [it, inserted] = names_.try_emplace(std::move(owner));
  Node& node = it->second;
  if (inserted) node.line = line;
  const bool has_cname = node.rrsets.contains(RecordType::CNAME);
  if (type == RecordType::CNAME && !node.rrsets.empty()) {
    return make_error(has_cname ? "a name can have only one CNAME"
                                : "CNAME for a name that has other records (entry " +
                                      std::to_string(node.line) + ")");
  }
  if (type != RecordType::CNAME && has_cname) {
    return make_error("record for a name that has a CNAME (entry " + std::to_string(node.line) +
                      ")");
  }
  auto [rrset, fresh] = node.rrsets.try_emplace(type, rdata);
  if (!fresh) merge(rrset->second, std::move(rdata));
  ++records_;
  return {};
}

Result<void> StaticZone::check_cname_chains() const {
  for (const auto& [name, node] : names_) {
    const Node* at = &node;
    for (std::size_t hops = 0; at != nullptr; ++hops) {
      auto cname = at->rrsets.find(RecordType::CNAME);
      if (cname == at->rrsets.end()) break;
      if (hops > names_.size()) {
        return make_error("[dns] static entry " + std::to_string(node.line) + ": CNAME loop from " +
                          name);
      }
      auto next = names_.find(cname->second.cname.front());
      at = next == names_.end() ? nullptr : &next->second;
    }
  }
  return {};
}

StaticMatch StaticZone::lookup(std::string_view name, RecordType type) const {
  StaticMatch match;
  const std::string normalized = normalize_name(name);
  auto it = names_.find(normalized);
  if (it == names_.end()) {
    // A listed name owns the names below it: "_25._tcp.mx.example.net" or
    // "_mta-sts.example.net" without a static record of their own do not
    // exist, rather than being asked of the real resolver (which, for
    // names only the static zone knows, could only time out).
    for (auto dot = normalized.find('.'); dot != std::string::npos;
         dot = normalized.find('.', dot + 1)) {
      const std::string parent = normalized.substr(dot + 1);
      if (parent.find('.') == std::string::npos) break;  // never a whole TLD
      if (names_.count(parent)) {
        match.kind = StaticMatch::Kind::answer;
        match.answer.status = Status::nxdomain;
        match.answer.secure = true;
        match.answer.reason =
            "no static record (static records own the names below " + parent + ")";
        return match;
      }
    }
    return match;
  }
  // Chains are loop-free (checked at parse time), so this ends.
  for (;;) {
    const Node& node = it->second;
    if (auto rrset = node.rrsets.find(type); rrset != node.rrsets.end()) {
      match.kind = StaticMatch::Kind::answer;
      match.answer = rrset->second;
      return match;
    }
    auto cname = node.rrsets.find(RecordType::CNAME);
    if (cname == node.rrsets.end()) {
      match.kind = StaticMatch::Kind::answer;
      match.answer.status = Status::nodata;
      match.answer.secure = true;
      match.answer.reason = "no static " + std::string(to_string(type)) + " record";
      return match;
    }
    const std::string& target = cname->second.cname.front();
    it = names_.find(target);
    if (it == names_.end()) {
      match.kind = StaticMatch::Kind::follow;
      match.target = target;
      return match;
    }
  }
}

}  // namespace herald::dns
