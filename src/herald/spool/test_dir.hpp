// spool::TestDir — a scratch data_dir for the spool's tests, removed after.
// Test-only helper; production code must not include it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>

#include "herald/spool/message_file.hpp"
#include "herald/spool/spool.hpp"

namespace herald::spool {

class TestDir {
 public:
  TestDir() {
    std::string tmpl = ::testing::TempDir() + "herald-spool-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string spool(const std::string& rel) const { return path_ + "/spool/" + rel; }

 private:
  std::string path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The body of a queued message, as every reader must see it.
inline std::string body_of(const QueueEntry& entry) {
  auto body = read_body(entry.body_path, entry.size);
  return body.ok() ? *body : "<" + body.error().message + ">";
}

inline void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline Envelope test_envelope() {
  Envelope e;
  e.mail_from = "alice@example.org";
  e.recipients = {{"bob@example.com", "queued"}};
  e.received_at = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  e.client_ip = "192.0.2.1";
  e.helo = "client.example.org";
  e.auth_identity = "alice";
  e.account = "acme";
  return e;
}

// Commits and waits for the committer's answer.
inline base::Result<std::string> commit_and_wait(Spool& spool, std::unique_ptr<MessageWriter> w,
                                                 Envelope e = test_envelope()) {
  std::promise<base::Result<std::string>> promise;
  auto future = promise.get_future();
  spool.commit(std::move(w), std::move(e),
               [&promise](base::Result<std::string> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace herald::spool
