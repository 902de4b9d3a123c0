// Tests for spool::Spool: commit/list/find, reopen, recovery, locking,
// group commit under concurrency, removal, ID validation, stats, stop.

#include "herald/spool/spool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "herald/spool/id_generator.hpp"
#include "herald/spool/test_dir.hpp"

namespace herald::spool {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<Spool> open_spool(const TestDir& dir) {
  auto spool = Spool::open(dir.path());
  EXPECT_TRUE(spool.ok()) << spool.error().message;
  return spool.ok() ? std::move(*spool) : nullptr;
}

std::string commit_text(Spool& spool, const std::string& body, Envelope e = test_envelope()) {
  auto w = spool.create();
  EXPECT_TRUE(w.ok()) << w.error().message;
  EXPECT_TRUE((*w)->write(body).ok());
  auto id = commit_and_wait(spool, std::move(*w), std::move(e));
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id.ok() ? *id : "";
}

TEST(Spool, OpenCreatesTheLayout) {
  TestDir dir;
  auto spool = open_spool(dir);
  ASSERT_TRUE(spool);
  EXPECT_TRUE(fs::is_directory(dir.spool("incoming")));
  EXPECT_TRUE(fs::is_directory(dir.spool("queue")));
  EXPECT_EQ(spool->path(), dir.path() + "/spool");
  EXPECT_TRUE(spool->recovery().removed.empty());
}

TEST(Spool, CommitListFindExactBody) {
  TestDir dir;
  auto spool = open_spool(dir);
  using namespace std::string_literals;
  const std::string body =
      "Received: from client.example.org ([192.0.2.1])\r\n\tby herald; Tue, 1 Oct 2024\r\n"
      "From: alice@example.org\r\nSubject: test\r\n\r\nHello \x00\xff bytes\r\n.\r\n"s;
  Envelope e = test_envelope();
  e.recipients.push_back({"carol@example.net", "queued"});
  e.tls = {true, "TLSv1.3", "TLS_AES_128_GCM_SHA256"};
  e.smtputf8 = true;

  auto w = spool->create().value();
  const std::string writer_id = w->id();
  ASSERT_TRUE(w->write(body).ok());
  auto id = commit_and_wait(*spool, std::move(w), e);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, writer_id);

  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));
  // One file: the body, then the envelope (no separate ID.json until
  // delivery records state).
  EXPECT_TRUE(fs::exists(dir.spool("queue/" + *id + ".msg")));
  EXPECT_FALSE(fs::exists(dir.spool("queue/" + *id + ".eml")));
  EXPECT_FALSE(fs::exists(dir.spool("queue/" + *id + ".json")));

  auto entry = spool->find(*id);
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  e.id = *id;
  e.size = body.size();
  EXPECT_EQ(entry->envelope, e);
  EXPECT_EQ(entry->size, body.size());
  EXPECT_EQ(body_of(*entry), body);
  EXPECT_EQ(*spool->body_path(*id), entry->body_path);

  auto list = spool->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().envelope.id, *id);
}

TEST(Spool, UpdateRewritesTheEnvelopeDurably) {
  TestDir dir;
  auto spool = open_spool(dir);
  const std::string id = commit_text(*spool, "Subject: x\r\n\r\nbody\r\n");
  auto entry = spool->find(id).value();
  entry.envelope.recipients[0].state = "deferred";
  entry.envelope.recipients[0].attempts = 1;
  entry.envelope.recipients[0].last_reply = "451 4.7.1 try later";
  ASSERT_TRUE(spool->update(entry.envelope).ok());
  EXPECT_EQ(spool->find(id).value().envelope, entry.envelope);
  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));
  // Survives a reopen (recovery keeps it).
  spool.reset();
  spool = open_spool(dir);
  EXPECT_EQ(spool->find(id).value().envelope.recipients[0].state, "deferred");
  // A deleted message is not brought back.
  ASSERT_TRUE(spool->remove(id).ok());
  EXPECT_FALSE(spool->update(entry.envelope).ok());
  EXPECT_FALSE(fs::exists(dir.spool("queue/" + id + ".json")));
}

TEST(Spool, UpdatedEnvelopeWinsAndLeavesWithTheMessage) {
  TestDir dir;
  auto spool = open_spool(dir);
  const std::string body = "Subject: x\r\n\r\nbody\r\n";
  const std::string id = commit_text(*spool, body);
  auto entry = spool->find(id).value();
  entry.envelope.recipients[0].state = "delivered";
  ASSERT_TRUE(spool->update(entry.envelope).ok());
  // ID.msg keeps the accepted envelope; ID.json holds the newer one.
  EXPECT_TRUE(fs::exists(dir.spool("queue/" + id + ".msg")));
  EXPECT_TRUE(fs::exists(dir.spool("queue/" + id + ".json")));
  auto again = spool->find(id).value();
  EXPECT_EQ(again.envelope.recipients[0].state, "delivered");
  EXPECT_EQ(again.size, body.size());
  EXPECT_EQ(body_of(again), body);
  EXPECT_EQ(spool->ids().value(), std::vector<std::string>{id});
  ASSERT_TRUE(spool->remove(id).ok());
  EXPECT_FALSE(fs::exists(dir.spool("queue/" + id + ".msg")));
  EXPECT_FALSE(fs::exists(dir.spool("queue/" + id + ".json")));
  EXPECT_TRUE(spool->ids().value().empty());
}

TEST(Spool, RecoveryOfOneFileMessages) {
  TestDir dir;
  std::string kept, updated_then_cut, damaged;
  {
    auto spool = open_spool(dir);
    kept = commit_text(*spool, "kept body");
    updated_then_cut = commit_text(*spool, "removed body");
    damaged = commit_text(*spool, "damaged body");
    auto e = spool->find(updated_then_cut).value().envelope;
    e.recipients[0].state = "delivered";
    ASSERT_TRUE(spool->update(e).ok());
  }
  // A crash inside remove(): the message file is gone, its update is not.
  fs::remove(dir.spool("queue/" + updated_then_cut + ".msg"));
  // A message file whose trailer was damaged on disk.
  fs::resize_file(dir.spool("queue/" + damaged + ".msg"),
                  fs::file_size(dir.spool("queue/" + damaged + ".msg")) - 3);

  auto spool = open_spool(dir);
  EXPECT_EQ(spool->recovery().removed,
            std::vector<std::string>{"queue/" + updated_then_cut + ".json"});
  ASSERT_EQ(spool->recovery().quarantined.size(), 1u);
  EXPECT_EQ(spool->recovery().quarantined[0].rfind(damaged, 0), 0u);
  EXPECT_TRUE(fs::exists(dir.spool("corrupt/" + damaged + ".msg")));
  EXPECT_EQ(spool->ids().value(), std::vector<std::string>{kept});
  EXPECT_EQ(body_of(spool->find(kept).value()), "kept body");
}

TEST(Spool, EnqueueCommitsAMessageFromMemory) {
  TestDir dir;
  auto spool = open_spool(dir);
  std::promise<base::Result<std::string>> done;
  auto future = done.get_future();
  spool->enqueue(test_envelope(), "Subject: bounce\r\n\r\ntext\r\n",
                 [&done](base::Result<std::string> r) { done.set_value(std::move(r)); });
  auto id = future.get();
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(body_of(spool->find(*id).value()), "Subject: bounce\r\n\r\ntext\r\n");
}

TEST(Spool, ReopenListsCommittedOldestFirst) {
  TestDir dir;
  std::vector<std::string> ids;
  {
    auto spool = open_spool(dir);
    for (int i = 0; i < 5; ++i) ids.push_back(commit_text(*spool, "message " + std::to_string(i)));
  }
  auto spool = open_spool(dir);
  EXPECT_TRUE(spool->recovery().removed.empty());
  auto list = spool->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*list)[i].envelope.id, ids[i]);
    EXPECT_EQ(body_of((*list)[i]), "message " + std::to_string(i));
  }
  EXPECT_EQ(spool->stats().count, 5u);
}

TEST(Spool, RecoveryRemovesIncompleteAndKeepsCommitted) {
  TestDir dir;
  std::string kept;
  {
    auto spool = open_spool(dir);
    kept = commit_text(*spool, "committed body");
  }
  // What a crash can leave behind.
  std::string a = IdGenerator::next(), b = IdGenerator::next(), c = IdGenerator::next(),
              d = IdGenerator::next();
  spit(dir.spool("incoming/" + a + ".eml"), "half a body");
  spit(dir.spool("incoming/" + a + ".json"), "{}");
  spit(dir.spool("queue/" + b + ".eml"), "body whose envelope rename was lost");
  Envelope orphan = test_envelope();
  orphan.id = c;
  spit(dir.spool("queue/" + c + ".json"), envelope_to_json(orphan));
  spit(dir.spool("queue/" + d + ".eml"), "body");
  spit(dir.spool("queue/" + d + ".json"), "{ not json");
  spit(dir.spool("queue/README"), "operator's note");

  auto spool = open_spool(dir);
  std::set<std::string> removed(spool->recovery().removed.begin(), spool->recovery().removed.end());
  EXPECT_EQ(removed, (std::set<std::string>{"incoming/" + a + ".eml", "incoming/" + a + ".json",
                                            "queue/" + b + ".eml", "queue/" + c + ".json"}));
  ASSERT_EQ(spool->recovery().quarantined.size(), 1u);
  EXPECT_EQ(spool->recovery().quarantined[0].rfind(d, 0), 0u);
  EXPECT_TRUE(fs::exists(dir.spool("corrupt/" + d + ".json")));
  EXPECT_TRUE(fs::exists(dir.spool("queue/README")));
  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));

  auto list = spool->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().envelope.id, kept);
  EXPECT_EQ(body_of(list->front()), "committed body");
}

TEST(Spool, OneOwnerAtATimeAndReadOnlyViews) {
  TestDir dir;
  auto spool = open_spool(dir);
  std::string id = commit_text(*spool, "x");
  auto w = spool->create().value();  // in flight: must survive the read-only open
  auto second = Spool::open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("in use by another herald process"), std::string::npos);

  auto ro = Spool::open(dir.path(), OpenOptions{.read_only = true});
  ASSERT_TRUE(ro.ok()) << ro.error().message;
  EXPECT_TRUE(fs::exists(w->path()));
  EXPECT_EQ((*ro)->list()->size(), 1u);
  EXPECT_TRUE((*ro)->find(id).ok());
  EXPECT_EQ((*ro)->stats().count, 1u);
  EXPECT_FALSE((*ro)->create().ok());
  // Pruning beside the running owner is allowed, and the owner sees it.
  ASSERT_TRUE((*ro)->remove(id).ok());
  EXPECT_FALSE(spool->find(id).ok());
  EXPECT_EQ(spool->stats().count, 0u);
  EXPECT_TRUE(fs::exists(w->path()));
}

TEST(Spool, GroupCommitGroupsConcurrentSessions) {
  TestDir dir;
  auto spool = open_spool(dir);
  constexpr int kThreads = 16, kPerThread = 20;
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::set<std::string> ids;
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> callback_on_caller{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto w = spool->create();
        if (!w.ok() ||
            !(*w)->write("thread " + std::to_string(t) + " msg " + std::to_string(i)).ok()) {
          ++failures;
          continue;
        }
        std::promise<base::Result<std::string>> p;
        auto f = p.get_future();
        spool->commit(std::move(*w), test_envelope(), [&](base::Result<std::string> r) {
          if (std::this_thread::get_id() == caller) callback_on_caller = true;
          p.set_value(std::move(r));
        });
        auto r = f.get();
        if (!r.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        ids.insert(*r);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_FALSE(callback_on_caller);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  Stats stats = spool->stats();
  EXPECT_EQ(stats.commits.messages, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(stats.commits.failures, 0u);
  EXPECT_LT(stats.commits.batches, stats.commits.messages);
  EXPECT_GT(stats.commits.largest_batch, 1u);
  EXPECT_EQ(stats.count, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(spool->list()->size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::printf("[ info ] %d commits in %llu batches (largest %llu)\n", kThreads * kPerThread,
              static_cast<unsigned long long>(stats.commits.batches),
              static_cast<unsigned long long>(stats.commits.largest_batch));
}

TEST(Spool, RemoveAndStats) {
  TestDir dir;
  auto spool = open_spool(dir);
  // A message queued 100 s ago (its ID carries the time), planted by hand.
  auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string a = IdGenerator::make(static_cast<std::uint64_t>(now_us) - 100'000'000, 7);
  Envelope old = test_envelope();
  old.id = a;
  old.size = 4;
  spit(dir.spool("queue/" + a + ".eml"), "aaaa");
  spit(dir.spool("queue/" + a + ".json"), envelope_to_json(old));
  std::string b = commit_text(*spool, "bbbbbb");
  Stats stats = spool->stats();
  EXPECT_EQ(stats.count, 2u);
  EXPECT_EQ(stats.total_bytes, 10u);
  EXPECT_GE(stats.oldest_age.count(), 99);
  EXPECT_LE(stats.oldest_age.count(), 110);
  EXPECT_EQ(stats.commits.messages, 1u);

  ASSERT_TRUE(spool->remove(a).ok());
  EXPECT_FALSE(spool->find(a).ok());
  EXPECT_FALSE(spool->body_path(a).ok());
  EXPECT_FALSE(fs::exists(dir.spool("queue/" + a + ".eml")));
  auto again = spool->remove(a);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("no message"), std::string::npos);
  stats = spool->stats();
  EXPECT_EQ(stats.count, 1u);
  EXPECT_EQ(stats.total_bytes, 6u);
  EXPECT_LE(stats.oldest_age.count(), 5);
  ASSERT_EQ(spool->list()->size(), 1u);
  EXPECT_EQ(spool->list()->front().envelope.id, b);
}

TEST(Spool, IdsAreValidatedBeforeTouchingPaths) {
  TestDir dir;
  auto spool = open_spool(dir);
  spit(dir.path() + "/spool/x.json", "{}");  // what "../x" would reach from queue/
  for (std::string bad :
       {"../x", "../../etc/passwd", "", "0123456789abcde/", "/etc/passwd", "0123456789ABCDEF"}) {
    auto found = spool->find(bad);
    ASSERT_FALSE(found.ok()) << bad;
    EXPECT_NE(found.error().message.find("is not a queue ID"), std::string::npos);
    EXPECT_FALSE(spool->body_path(bad).ok()) << bad;
    EXPECT_FALSE(spool->remove(bad).ok()) << bad;
  }
  EXPECT_TRUE(fs::exists(dir.path() + "/spool/x.json"));
  auto unknown = spool->find("0123456789abcdef");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("no message"), std::string::npos);
}

TEST(Spool, StopDrainsThenRefuses) {
  TestDir dir;
  auto spool = open_spool(dir);
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    auto w = spool->create().value();
    ASSERT_TRUE(w->write("x").ok());
    spool->commit(std::move(w), test_envelope(), [&](base::Result<std::string> r) {
      EXPECT_TRUE(r.ok());
      ++done;
    });
  }
  auto late = spool->create().value();
  spool->stop();
  EXPECT_EQ(done, 10);  // submitted before stop: all committed
  auto r = commit_and_wait(*spool, std::move(late));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("shutting down"), std::string::npos);
  EXPECT_FALSE(spool->create().ok());
  EXPECT_TRUE(fs::is_empty(dir.spool("incoming")));
  EXPECT_EQ(spool->list()->size(), 10u);
}

}  // namespace
}  // namespace herald::spool
