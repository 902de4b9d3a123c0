// dns::lookup_all — fan-out of several lookups joined into one completion.
#include "herald/dns/resolver.hpp"

#include <mutex>

namespace herald::dns {

namespace {

// Shared by the callbacks of one lookup_all: the last answer to arrive
// completes the whole operation. Answers may arrive on different threads
// (a static answer inline, the others on the resolver's thread).
template <class Handler>
struct Join {
  Join(Handler h, std::size_t n) : handler(std::move(h)), answers(n), remaining(n) {}

  static void deliver(const std::shared_ptr<Join>& self, std::size_t index, Answer answer) {
    {
      std::lock_guard lock(self->mutex);
      self->answers[index] = std::move(answer);
      if (--self->remaining != 0) return;
    }
    auto executor = asio::get_associated_executor(self->handler);
    asio::post(executor, [self]() { self->handler(std::move(self->answers)); });
  }

  Handler handler;
  std::vector<Answer> answers;
  std::size_t remaining;
  std::mutex mutex;
};

struct LookupAllInit {
  Resolver* resolver;
  std::vector<Query> queries;

  template <class Handler>
  void operator()(Handler handler) {
    if (queries.empty()) {
      auto executor = asio::get_associated_executor(handler);
      asio::post(executor, [h = std::move(handler)]() mutable { h(std::vector<Answer>{}); });
      return;
    }
    auto join = std::make_shared<Join<Handler>>(std::move(handler), queries.size());
    for (std::size_t i = 0; i < queries.size(); ++i) {
      resolver->lookup(std::move(queries[i].name), queries[i].type, [join, i](Answer answer) {
        Join<Handler>::deliver(join, i, std::move(answer));
      });
    }
  }
};

}  // namespace

asio::awaitable<std::vector<Answer>> lookup_all(Resolver& resolver, std::vector<Query> queries) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::vector<Answer>)>(
      LookupAllInit{&resolver, std::move(queries)}, asio::use_awaitable);
}

}  // namespace herald::dns
