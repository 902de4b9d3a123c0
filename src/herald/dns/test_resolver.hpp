// dns::test — helpers shared by the dns tests: a scripted Resolver and a way
// to run one coroutine to completion. Test-only; not part of herald_dns.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "herald/dns/resolver.hpp"

namespace herald::dns::test {

// Answers from a table; unknown questions are nxdomain. Records every question.
class ScriptedResolver final : public Resolver {
 public:
  void set(std::string name, RecordType type, Answer answer) {
    table_[{std::move(name), type}] = std::move(answer);
  }
  void lookup(std::string name, RecordType type, Callback done) override {
    questions.push_back({name, type});
    auto it = table_.find({name, type});
    done(it != table_.end() ? it->second : make_failure(Status::nxdomain, "not scripted"));
  }
  std::vector<std::pair<std::string, RecordType>> questions;

 private:
  std::map<std::pair<std::string, RecordType>, Answer> table_;
};

inline Answer ok_answer(bool secure = false) {
  Answer a;
  a.status = Status::ok;
  a.secure = secure;
  return a;
}

// Runs `make()`'s awaitable on a fresh io_context and returns its result.
template <class Make>
auto run(Make make) {
  asio::io_context io;
  auto future = asio::co_spawn(io, make(), asio::use_future);
  io.run();
  return future.get();
}

}  // namespace herald::dns::test
