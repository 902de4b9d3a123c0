// spool::IdGenerator — queue IDs: 16 characters of lowercase Crockford base32,
// 55 bits of microseconds since the epoch then 25 random bits. IDs sort by
// time as plain strings and are safe as file names; this file never touches disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::spool {

class IdGenerator {
 public:
  static constexpr std::size_t kLength = 16;

  // Thread-safe. Within a process IDs strictly increase (the time part is
  // bumped past the previous ID on a tie); across processes and restarts the
  // random part separates equal microseconds, and the spool still refuses to
  // overwrite an existing file should two IDs ever meet.
  static std::string next();

  // Builds an ID from explicit parts (tests, and documentation of the layout).
  static std::string make(std::uint64_t unix_micros, std::uint32_t random25);

  // True only for exactly kLength characters of the ID alphabet, so a
  // validated ID can be put in a path ("../x" and "a/b" never pass).
  static bool valid(std::string_view id);

  // The microseconds since the epoch encoded in a valid ID.
  static std::uint64_t unix_micros(std::string_view id);
};

}  // namespace herald::spool
