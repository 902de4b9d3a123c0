// libFuzzer target for dns::StaticZone: any set of entries parses or fails
// with a message naming an entry, and every name of a parsed zone can be
// looked up (CNAME chains always end) for every type.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "herald/dns/static_zone.hpp"

using herald::dns::RecordType;
using herald::dns::StaticMatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    lines.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  auto zone = herald::dns::StaticZone::parse(lines);
  if (!zone.ok()) {
    if (zone.error().message.find("[dns] static entry") == std::string::npos) std::abort();
    return 0;
  }
  for (const std::string& line : lines) {
    const std::string owner = line.substr(0, line.find_first_of(" \t"));
    for (RecordType type : {RecordType::A, RecordType::AAAA, RecordType::MX, RecordType::TXT,
                            RecordType::TLSA, RecordType::CNAME}) {
      const StaticMatch match = zone->lookup(owner, type);
      if (match.kind == StaticMatch::Kind::answer && !match.answer.secure) std::abort();
      if (match.kind == StaticMatch::Kind::follow && match.target.empty()) std::abort();
    }
  }
  return 0;
}
