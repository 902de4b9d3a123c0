// dns::Answer — the typed result of one DNS lookup (status, DNSSEC state,
// parsed rdata). Plain data shared by the resolvers, the static zone and
// their users; it must not perform lookups or know where an answer came from.
#pragma once

#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::dns {

// Values are the IANA type codes, so they can go on the wire as they are.
enum class RecordType : std::uint16_t {
  A = 1,
  CNAME = 5,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  TLSA = 52,
};

enum class Status {
  ok,                 // at least one record of the asked type
  nxdomain,           // the name does not exist
  nodata,             // the name exists, but has no record of this type
  temporary_failure,  // SERVFAIL, timeout, network error: try again later
  bogus,              // DNSSEC validation failed: treat as an attack, not as "no record"
};

struct Mx {
  std::uint16_t preference = 0;
  std::string exchange;  // lowercase, no trailing dot; the root (null MX) is "."

  bool is_null() const { return exchange == "."; }
  bool operator==(const Mx&) const = default;
};

struct Tlsa {
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t matching_type = 0;
  std::vector<std::uint8_t> data;  // certificate association data, raw bytes

  bool operator==(const Tlsa&) const = default;
};

struct Answer {
  Status status = Status::temporary_failure;
  // DNSSEC-validated. Static records count as secure: see static_zone.hpp.
  bool secure = false;
  std::string reason;  // why it failed, for logs and bounces; empty when ok

  // Only the vector matching the asked type is filled.
  std::vector<asio::ip::address> addresses;  // A or AAAA
  std::vector<Mx> mx;
  std::vector<std::string> txt;  // one entry per record, its character-strings joined
  std::vector<Tlsa> tlsa;
  std::vector<std::string> cname;  // lowercase, no trailing dot

  bool ok() const { return status == Status::ok; }
  // How many records the answer carries, whatever their type.
  std::size_t size() const {
    return addresses.size() + mx.size() + txt.size() + tlsa.size() + cname.size();
  }
};

std::string_view to_string(RecordType type);
std::string_view to_string(Status status);
// Case-insensitive "MX", "tlsa", ...; nullopt for a type Herald does not use.
std::optional<RecordType> parse_record_type(std::string_view text);

// Shorthands for the resolvers and tests.
Answer make_failure(Status status, std::string reason);

// Lowercases ASCII letters and removes one trailing dot ("Example.NET." ->
// "example.net"); the root stays ".". The canonical key for names here.
std::string normalize_name(std::string_view name);

}  // namespace herald::dns
