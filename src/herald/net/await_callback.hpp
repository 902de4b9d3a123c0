// net::await_callback / run_blocking — bridge from a coroutine on an I/O
// thread to work done elsewhere (a worker pool, the spool's committer
// thread) without blocking the I/O thread. The result is delivered back on
// the coroutine's own executor. Used by sessions and by delivery.
#pragma once

#include <asio/async_result.hpp>
#include <asio/bind_executor.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <utility>

namespace herald::net {

// `start` receives a callback that may be invoked once, from any thread.
template <class T, class Start>
asio::awaitable<T> await_callback(Start start) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [&start](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([shared](T value) mutable {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor,
                     [shared, v = std::move(value)]() mutable { (*shared)(std::move(v)); });
        });
      },
      asio::use_awaitable);
}

// Runs a blocking function (Argon2id, SQLite) on the worker pool. Pass a
// lambda that captures only references and pointers: GCC 12 miscompiles
// coroutine parameters of class type with non-trivial members (seen as a
// double free of a captured std::string).
template <class F>
auto run_blocking(asio::thread_pool& pool, F fn) -> asio::awaitable<decltype(fn())> {
  using T = decltype(fn());
  co_return co_await await_callback<T>([&pool, fn = std::move(fn)](auto done) mutable {
    asio::post(pool, [fn = std::move(fn), done = std::move(done)]() mutable { done(fn()); });
  });
}

}  // namespace herald::net
