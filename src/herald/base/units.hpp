// base::units — durations ("90s", "15m", "2h", "5d") and sizes ("35MB",
// "64KiB", "1024") as written in herald.toml and on the command line.
// Parsing is strict and overflow-safe; formatting round-trips exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::base {

// Longest accepted duration (100 years): far beyond any sane timeout or
// expiry, yet small enough that `now() + d` cannot overflow a clock.
inline constexpr std::chrono::seconds kMaxDuration{100LL * 365 * 24 * 60 * 60};

// A decimal number followed by one unit: s, m, h or d ("15m"). A bare
// number is refused: "300" could be seconds or minutes, so the reader must say.
Result<std::chrono::seconds> parse_duration(std::string_view text);

// A decimal number optionally followed by B, KB, MB, GB (powers of 1000)
// or KiB, MiB, GiB (powers of 1024); units are case-insensitive and a bare
// number means bytes ("1024").
Result<std::uint64_t> parse_size(std::string_view text);

// The largest unit that divides exactly: 900s -> "15m", 90s -> "90s".
// Negative durations are written with a leading '-' (never parsed back).
std::string format_duration(std::chrono::seconds duration);

// The largest unit that divides exactly: 35000000 -> "35MB",
// 1048576 -> "1MiB", 1536 -> "1536B".
std::string format_size(std::uint64_t bytes);

}  // namespace herald::base
