// dns::StaticZone — records written by the operator in `[dns] static`
// (zone-file lines), parsed once and answered from memory. It owns parsing
// and lookup semantics only; it must not do I/O or ask a real resolver.
//
// Static answers are marked secure (DNSSEC-validated): the operator wrote
// them into the config, so they are exactly as trustworthy as the config
// itself. This is also how tests exercise DANE without a signed zone.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "herald/base/result.hpp"
#include "herald/dns/record.hpp"

namespace herald::dns {

struct StaticMatch {
  enum class Kind {
    not_in_zone,  // neither the name nor a parent has a static record: ask the real resolver
    answer,       // authoritative answer in `answer`: ok, nodata, or nxdomain below a listed name
    follow,       // a static CNAME points outside the zone: look up `target` instead
  };
  Kind kind = Kind::not_in_zone;
  Answer answer;
  std::string target;
};

class StaticZone {
 public:
  StaticZone() = default;

  // One record per entry, `NAME [TTL] [IN] TYPE RDATA` with TYPE one of A,
  // AAAA, MX, TXT, TLSA, CNAME. Names are absolute whether or not they end
  // in a dot, and case-insensitive. Errors name the entry (1-based) and the
  // problem. Blank entries and `;` comments are allowed.
  static base::Result<StaticZone> parse(std::span<const std::string> lines);

  // If `name` is in the zone, the answer comes from here alone: a missing
  // type is nodata, and a CNAME is followed while it stays inside the zone.
  StaticMatch lookup(std::string_view name, RecordType type) const;

  bool empty() const { return names_.empty(); }
  std::size_t record_count() const { return records_; }

 private:
  struct Node {
    std::map<RecordType, Answer> rrsets;
    std::size_t line = 0;  // first line naming this owner, for error messages
  };

  base::Result<void> add(std::size_t line, std::string owner, RecordType type, Answer rdata);
  base::Result<void> check_cname_chains() const;

  std::unordered_map<std::string, Node> names_;
  std::size_t records_ = 0;
};

}  // namespace herald::dns
