// Crash tests for spool::Spool: a child process commits and is killed with
// SIGKILL at chosen moments; the parent reopens the spool and checks that
// every acknowledged message survived whole and nothing half-done remains.
// (SIGKILL tests the process side of the contract; power loss is covered by
// the fsync protocol in spool.hpp, which a test cannot pull the plug on.)

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <thread>

#include "herald/spool/spool.hpp"
#include "herald/spool/test_dir.hpp"

namespace herald::spool {
namespace {

namespace fs = std::filesystem;

std::string body_for(const std::string& tag) {
  std::string body = "Received: from test\r\nSubject: " + tag + "\r\n\r\n";
  for (int i = 0; i < 2000; ++i) body += tag + " line " + std::to_string(i) + "\r\n";
  return body;
}

void say(int fd, const std::string& line) {
  std::string out = line + "\n";
  (void)!::write(fd, out.data(), out.size());  // < PIPE_BUF: atomic
}

// Reads lines until EOF (the child died) or `stop_after` lines.
std::vector<std::string> read_lines(int fd, std::size_t stop_after = SIZE_MAX) {
  std::vector<std::string> lines;
  std::string pending;
  char buf[4096];
  while (lines.size() < stop_after) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      lines.push_back(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
  return lines;
}

TEST(SpoolCrash, KillRightAfterTheCallbackLosesNothing) {
  TestDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto spool = Spool::open(dir.path());
    if (!spool.ok()) ::_exit(2);
    auto w = (*spool)->create().value();
    if (!w->write(body_for("only")).ok()) ::_exit(3);
    (*spool)->commit(std::move(w), test_envelope(), [&](base::Result<std::string> r) {
      if (!r.ok()) ::_exit(4);
      say(fds[1], "committed " + *r);
      ::kill(::getpid(), SIGKILL);  // no destructor, no flush, no stop()
    });
    ::pause();
    ::_exit(5);
  }
  ::close(fds[1]);
  auto lines = read_lines(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(lines[0].rfind("committed ", 0), 0u);
  std::string id = lines[0].substr(10);

  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool.ok()) << spool.error().message;  // the dead child's lock is gone
  EXPECT_TRUE((*spool)->recovery().removed.empty());
  auto entry = (*spool)->find(id);
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  EXPECT_EQ(body_of(*entry), body_for("only"));
  EXPECT_EQ(entry->envelope.recipients.at(0).state, "queued");
}

TEST(SpoolCrash, KillMidMessageLeavesNothingBehind) {
  TestDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto spool = Spool::open(dir.path());
    if (!spool.ok()) ::_exit(2);
    auto w = (*spool)->create().value();
    for (int i = 0; i < 10; ++i) (void)w->write(std::string(100000, 'x'));
    say(fds[1], "writing " + w->id());
    ::kill(::getpid(), SIGKILL);
    ::_exit(5);
  }
  ::close(fds[1]);
  auto lines = read_lines(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(lines.size(), 1u);
  std::string id = lines[0].substr(8);
  EXPECT_TRUE(fs::exists(dir.spool("incoming/" + id + ".eml")));

  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ((*spool)->recovery().removed, (std::vector<std::string>{"incoming/" + id + ".eml"}));
  EXPECT_TRUE((*spool)->list()->empty());
  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));
}

// Many sessions commit continuously; the parent SIGKILLs the child at an
// arbitrary moment. Every ID the child acknowledged must be there, whole;
// the rest must be either whole too (synced, not yet acknowledged) or gone.
TEST(SpoolCrash, KillDuringConcurrentCommitsKeepsEveryAcknowledged) {
  TestDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto spool = Spool::open(dir.path());
    if (!spool.ok()) ::_exit(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          auto w = (*spool)->create();
          if (!w.ok()) ::_exit(3);
          std::string tag = "t" + std::to_string(t) + "m" + std::to_string(i);
          if (!(*w)->write(body_for(tag)).ok()) ::_exit(4);
          auto r = commit_and_wait(**spool, std::move(*w));
          if (!r.ok()) ::_exit(5);
          say(fds[1], *r + " " + tag);
        }
      });
    }
    for (auto& t : threads) t.join();
    ::_exit(6);
  }
  ::close(fds[1]);
  auto lines = read_lines(fds[0], 150);
  ::kill(pid, SIGKILL);
  auto rest = read_lines(fds[0]);  // acknowledged before the kill landed
  lines.insert(lines.end(), rest.begin(), rest.end());
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(lines.size(), 150u);

  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool.ok()) << spool.error().message;
  for (const auto& line : lines) {
    std::istringstream in(line);
    std::string id, tag;
    in >> id >> tag;
    auto entry = (*spool)->find(id);
    ASSERT_TRUE(entry.ok()) << line << ": " << entry.error().message;
    EXPECT_EQ(body_of(*entry), body_for(tag)) << line;
  }
  auto list = (*spool)->list();
  ASSERT_TRUE(list.ok());
  EXPECT_GE(list->size(), lines.size());
  for (const auto& e : *list) {
    EXPECT_EQ(e.size, e.envelope.size) << e.envelope.id;
  }
  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));
  std::printf("[ info ] %zu acknowledged, %zu in queue, %zu leftovers removed\n", lines.size(),
              list->size(), (*spool)->recovery().removed.size());
}

}  // namespace
}  // namespace herald::spool
