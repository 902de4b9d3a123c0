// Tests for spool::IdGenerator: format, ordering, uniqueness, validation.

#include "herald/spool/id_generator.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace herald::spool {
namespace {

TEST(IdGenerator, NextIsValidAndShort) {
  std::string id = IdGenerator::next();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_TRUE(IdGenerator::valid(id)) << id;
}

TEST(IdGenerator, StrictlyIncreasingWithinProcess) {
  std::string prev = IdGenerator::next();
  for (int i = 0; i < 20000; ++i) {
    std::string id = IdGenerator::next();
    ASSERT_LT(prev, id);
    prev = id;
  }
}

TEST(IdGenerator, UniqueAcrossThreads) {
  std::mutex mutex;
  std::set<std::string> all;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 5000; ++i) mine.push_back(IdGenerator::next());
      std::lock_guard lock(mutex);
      all.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(all.size(), 8u * 5000u);
}

TEST(IdGenerator, SortsByTimeAndDecodes) {
  std::uint64_t t = 1700000000123456ULL;
  std::string a = IdGenerator::make(t, 0x1ffffff);
  std::string b = IdGenerator::make(t + 1, 0);
  EXPECT_LT(a, b);
  EXPECT_EQ(IdGenerator::unix_micros(a), t);
  EXPECT_EQ(IdGenerator::unix_micros(b), t + 1);
  auto now_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  auto decoded = IdGenerator::unix_micros(IdGenerator::next());
  EXPECT_LE(decoded - now_us, 5'000'000u);  // within seconds of now
}

TEST(IdGenerator, ValidationRejectsAnythingPathLike) {
  EXPECT_FALSE(IdGenerator::valid(""));
  EXPECT_FALSE(IdGenerator::valid("../x"));
  EXPECT_FALSE(IdGenerator::valid("../../etc/passwd"));
  EXPECT_FALSE(IdGenerator::valid("0123456789abcde/"));
  EXPECT_FALSE(IdGenerator::valid("0123456789abcd.."));
  EXPECT_FALSE(IdGenerator::valid("0123456789ABCDEF"));   // uppercase
  EXPECT_FALSE(IdGenerator::valid("0123456789abcdei"));   // not in the alphabet
  EXPECT_FALSE(IdGenerator::valid("0123456789abcde"));    // 15
  EXPECT_FALSE(IdGenerator::valid("0123456789abcdefg"));  // 17
  EXPECT_FALSE(IdGenerator::valid(std::string_view("0123456789abcde\0", 16)));
  EXPECT_TRUE(IdGenerator::valid("0123456789abcdef"));
}

}  // namespace
}  // namespace herald::spool
