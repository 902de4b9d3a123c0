// Tests for spool::MessageWriter: buffering, streaming big bodies with a
// bounded buffer, abort and destructor cleanup, write errors as sentences.

#include "herald/spool/message_writer.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "herald/spool/spool.hpp"
#include "herald/spool/test_dir.hpp"

namespace herald::spool {
namespace {

namespace fs = std::filesystem;

TEST(MessageWriter, SmallWritesStayInTheBuffer) {
  TestDir dir;
  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool.ok()) << spool.error().message;
  auto w = (*spool)->create();
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_TRUE((*w)->write("Received: from x\r\n").ok());
  ASSERT_TRUE((*w)->write("Subject: hi\r\n\r\nbody\r\n").ok());
  EXPECT_EQ((*w)->size(), 39u);
  EXPECT_EQ((*w)->buffered(), 39u);
  EXPECT_EQ(fs::file_size((*w)->path()), 0u);  // nothing written yet
  EXPECT_EQ((*w)->path(), dir.spool("incoming/" + (*w)->id() + ".eml"));
}

TEST(MessageWriter, StreamsTwentyMegabytesWithABoundedBuffer) {
  TestDir dir;
  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool.ok()) << spool.error().message;
  auto created = (*spool)->create();
  ASSERT_TRUE(created.ok());
  auto w = std::move(*created);

  // Mixed piece sizes: exact 64 KiB, odd small ones, some bigger than the buffer.
  const std::size_t sizes[] = {65536, 1000, 7, 65536, 100000, 4096, 65535, 1};
  std::string expected;
  expected.reserve(21 << 20);
  std::size_t peak_capacity = 0;
  for (std::size_t i = 0; expected.size() < (20u << 20); ++i) {
    std::string piece(sizes[i % std::size(sizes)], static_cast<char>('a' + i % 26));
    piece.back() = '\n';
    ASSERT_TRUE(w->write(piece).ok());
    expected += piece;
    peak_capacity = std::max(peak_capacity, w->buffer_capacity());
  }
  EXPECT_LE(peak_capacity, MessageWriter::kBufferSize + 64);  // allocator slack
  EXPECT_EQ(w->size(), expected.size());
  // Most of it is already in the incoming file: memory never held the message.
  EXPECT_GE(fs::file_size(w->path()), expected.size() - MessageWriter::kBufferSize);

  auto id = commit_and_wait(**spool, std::move(w));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto entry = (*spool)->find(*id);
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  EXPECT_EQ(entry->size, expected.size());
  EXPECT_EQ(entry->envelope.size, expected.size());
  EXPECT_TRUE(body_of(*entry) == expected);
}

TEST(MessageWriter, AbortAndDestructorRemoveTheFile) {
  TestDir dir;
  auto spool = Spool::open(dir.path());
  ASSERT_TRUE(spool.ok());
  auto a = (*spool)->create().value();
  ASSERT_TRUE(a->write(std::string(200000, 'x')).ok());
  std::string path = a->path();
  ASSERT_TRUE(fs::exists(path));
  a->abort();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(a->write("more").ok());
  a->abort();  // idempotent

  std::string path_b;
  {
    auto b = (*spool)->create().value();
    ASSERT_TRUE(b->write("hello").ok());
    path_b = b->path();
    ASSERT_TRUE(fs::exists(path_b));
  }
  EXPECT_FALSE(fs::exists(path_b));
  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));
  EXPECT_TRUE(fs::is_empty(dir.spool("queue")));
}

// A write error (here EFBIG from a file size limit, standing in for ENOSPC)
// comes back as a sentence, sticks, and fails the commit cleanly. Runs in a
// child so the limit cannot touch the test runner's own files.
TEST(MessageWriter, WriteErrorsAreSentencesAndFailTheCommit) {
  TestDir dir;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 0;
    {
      ::signal(SIGXFSZ, SIG_IGN);
      struct rlimit limit {
        100000, 100000
      };
      auto spool = Spool::open(dir.path());
      auto w = (*spool)->create().value();
      ::setrlimit(RLIMIT_FSIZE, &limit);
      base::Result<void> r;
      for (int i = 0; i < 10 && r.ok(); ++i) r = w->write(std::string(65536, 'x'));
      if (r.ok())
        code = 10;
      else if (r.error().message.find("could not write message body") == std::string::npos)
        code = 11;
      else if (w->write("x").ok())
        code = 12;  // the error must stick
      auto committed = commit_and_wait(**spool, std::move(w));
      if (committed.ok()) code = 13;
      if (!fs::is_empty(dir.spool("incoming")) || !fs::is_empty(dir.spool("queue"))) code = 14;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace herald::spool
