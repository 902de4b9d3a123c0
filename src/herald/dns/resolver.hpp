// dns::Resolver — the asynchronous lookup interface the rest of Herald uses
// (delivery: MX, MTA-STS TXT, TLSA; cli: domain checks), plus coroutine
// helpers. Implementations own their threads and timeouts; callers must not
// block an I/O thread waiting for an answer.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "herald/dns/record.hpp"

namespace herald::dns {

// How long any one lookup may take before it completes as temporary_failure.
inline constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

class Resolver {
 public:
  using Callback = std::function<void(Answer)>;

  virtual ~Resolver() = default;

  // Looks up `name` (ASCII; see idna.hpp for U-labels). `done` is called
  // exactly once, within the resolver's timeout, from whatever thread the
  // implementation chooses — possibly before lookup() returns (a static
  // answer). A caller that needs its own thread posts back, as the
  // coroutine helpers below do.
  virtual void lookup(std::string name, RecordType type, Callback done) = 0;
};

namespace detail {

struct LookupInit {
  Resolver* resolver;
  std::string name;
  RecordType type;

  template <class Handler>
  void operator()(Handler handler) {
    auto shared = std::make_shared<Handler>(std::move(handler));
    resolver->lookup(std::move(name), type, [shared](Answer answer) {
      auto executor = asio::get_associated_executor(*shared);
      asio::post(executor, [shared, a = std::move(answer)]() mutable { (*shared)(std::move(a)); });
    });
  }
};

}  // namespace detail

// `co_await dns::lookup(resolver, "example.net", RecordType::MX)` resumes on
// the awaiting coroutine's executor. Not itself a coroutine: the name is
// copied before anything suspends, so a temporary argument is safe.
inline asio::awaitable<Answer> lookup(Resolver& resolver, std::string name, RecordType type) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Answer)>(
      detail::LookupInit{&resolver, std::move(name), type}, asio::use_awaitable);
}

struct Query {
  std::string name;
  RecordType type;
};

// Runs all queries at once and resumes when every one has answered; the
// answers come back in query order. Bounded by the caller's list (and each
// lookup by the resolver's timeout).
asio::awaitable<std::vector<Answer>> lookup_all(Resolver& resolver, std::vector<Query> queries);

}  // namespace herald::dns
