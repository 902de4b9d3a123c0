// base::units — parsing and formatting of durations and sizes. Every
// refusal quotes the input (truncated, control bytes escaped) and shows a
// correct example, because these messages end up in front of operators.
#include "herald/base/units.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>

#include "herald/base/ascii.hpp"

namespace herald::base {
namespace {

// Quotes user input for an error message: bounded length and no raw
// control bytes, so a hostile or binary value cannot garble a log line.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Splits "<digits>[spaces]<unit>". Returns false when there are no leading
// digits or the number does not fit in 64 bits (`overflow` tells which).
bool split_number(std::string_view text, std::uint64_t& number, std::string_view& unit,
                  bool& overflow) {
  overflow = false;
  std::size_t i = 0;
  number = 0;
  while (i < text.size() && is_digit(text[i])) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (number > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
    if (!overflow) number = number * 10 + digit;
    ++i;
  }
  if (i == 0 || overflow) return false;
  // One space between number and unit reads naturally ("35 MB"); allow it.
  while (i < text.size() && text[i] == ' ') ++i;
  unit = text.substr(i);
  return true;
}

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array<Unit, 4> kDurationUnits{{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}};

// Ordered by factor, largest first, so format_size picks the biggest exact unit.
constexpr std::array<Unit, 7> kSizeUnits{{{"GiB", 1ULL << 30},
                                          {"GB", 1000ULL * 1000 * 1000},
                                          {"MiB", 1ULL << 20},
                                          {"MB", 1000ULL * 1000},
                                          {"KiB", 1ULL << 10},
                                          {"KB", 1000ULL},
                                          {"B", 1}}};

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  const auto hint = "; write a number followed by s, m, h or d (e.g. \"15m\")";
  std::uint64_t number = 0;
  std::string_view unit;
  bool overflow = false;
  if (!split_number(text, number, unit, overflow)) {
    if (overflow) return make_error(fmt::format("{} is too long a duration", quoted(text)));
    return make_error(fmt::format("{} is not a duration{}", quoted(text), hint));
  }
  if (unit.empty()) {
    return make_error(fmt::format("{} has no unit{}", quoted(text), hint));
  }
  for (const auto& u : kDurationUnits) {
    if (unit != u.name) continue;
    const auto max = static_cast<std::uint64_t>(kMaxDuration.count());
    if (number > max / u.factor) {
      return make_error(fmt::format("{} is too long a duration; the longest accepted is {}",
                                    quoted(text), format_duration(kMaxDuration)));
    }
    return std::chrono::seconds{static_cast<std::int64_t>(number * u.factor)};
  }
  return make_error(fmt::format("{} is not a duration{}", quoted(text), hint));
}

Result<std::uint64_t> parse_size(std::string_view text) {
  const auto hint =
      "; write a number followed by B, KB, MB or GB (or KiB, MiB, GiB), e.g. \"35MB\"";
  std::uint64_t number = 0;
  std::string_view unit;
  bool overflow = false;
  if (!split_number(text, number, unit, overflow)) {
    if (overflow) return make_error(fmt::format("{} is too large a size", quoted(text)));
    return make_error(fmt::format("{} is not a size{}", quoted(text), hint));
  }
  if (unit.empty()) return number;
  for (const auto& u : kSizeUnits) {
    if (!iequals(unit, u.name)) continue;
    if (number > std::numeric_limits<std::uint64_t>::max() / u.factor) {
      return make_error(fmt::format("{} is too large a size", quoted(text)));
    }
    return number * u.factor;
  }
  return make_error(fmt::format("{} is not a size{}", quoted(text), hint));
}

std::string format_duration(std::chrono::seconds duration) {
  const std::int64_t count = duration.count();
  if (count == 0) return "0s";
  // Work on the magnitude as unsigned so that INT64_MIN cannot overflow.
  const bool negative = count < 0;
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(count)
                                           : static_cast<std::uint64_t>(count);
  for (const auto& u : kDurationUnits) {
    if (magnitude % u.factor == 0) {
      return fmt::format("{}{}{}", negative ? "-" : "", magnitude / u.factor, u.name);
    }
  }
  return fmt::format("{}{}s", negative ? "-" : "", magnitude);  // unreachable: factor 1
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0B";
  for (const auto& u : kSizeUnits) {
    if (bytes % u.factor == 0) return fmt::format("{}{}", bytes / u.factor, u.name);
  }
  return fmt::format("{}B", bytes);  // unreachable: factor 1
}

}  // namespace herald::base
