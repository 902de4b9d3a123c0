// dns::record — names of record types and statuses, name normalization.
#include "herald/dns/record.hpp"

#include <array>
#include <utility>

#include "herald/base/ascii.hpp"

namespace herald::dns {

namespace {

constexpr std::array<std::pair<RecordType, std::string_view>, 6> kTypes{{
    {RecordType::A, "A"},
    {RecordType::AAAA, "AAAA"},
    {RecordType::MX, "MX"},
    {RecordType::TXT, "TXT"},
    {RecordType::TLSA, "TLSA"},
    {RecordType::CNAME, "CNAME"},
}};

}  // namespace

std::string_view to_string(RecordType type) {
  for (const auto& [t, name] : kTypes) {
    if (t == type) return name;
  }
  return "?";
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::nxdomain:
      return "nxdomain";
    case Status::nodata:
      return "nodata";
    case Status::temporary_failure:
      return "temporary failure";
    case Status::bogus:
      return "bogus";
  }
  return "?";
}

std::optional<RecordType> parse_record_type(std::string_view text) {
  for (const auto& [t, name] : kTypes) {
    if (name.size() != text.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      same = base::ascii_lower(name[i]) == base::ascii_lower(text[i]);
    }
    if (same) return t;
  }
  return std::nullopt;
}

Answer make_failure(Status status, std::string reason) {
  Answer answer;
  answer.status = status;
  answer.reason = std::move(reason);
  return answer;
}

std::string normalize_name(std::string_view name) {
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  return base::ascii_lower(name);
}

}  // namespace herald::dns
