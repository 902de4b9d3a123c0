// submission::SessionRegistry — the live sessions, so that a stopping
// server can tell each one to finish: idle sessions get 421 at once, a
// session in the middle of a message first finishes it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace herald::submission {

class Session;

class SessionRegistry {
 public:
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);
  // Calls `fn` for every live session (from the caller's thread; `fn` must
  // post to the session's executor).
  void for_each(const std::function<void(std::shared_ptr<Session>)>& fn);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
};

}  // namespace herald::submission
