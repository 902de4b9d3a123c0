// Tests for store::Store: accounts, logins, persistence and sharing one file
// between two connections (as the CLI and the server do).

#include "herald/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "herald/store/audit_writer.hpp"
#include "herald/store/migrations.hpp"

namespace herald::store {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("herald-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "herald.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Store open() {
    auto s = Store::open(path_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return std::move(s).value();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, CreatesSchemaAtLatestVersionWithPrivateMode) {
  Store s = open();
  auto v = s.schema_version();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, latest_schema_version());
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StoreTest, RefusesEmptyPathAndUnwritableDirectory) {
  EXPECT_FALSE(Store::open("").ok());
  auto r = Store::open((dir_ / "missing" / "x.db").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("could not open database"), std::string::npos);
}

TEST_F(StoreTest, AccountsWithParentsAndDuplicates) {
  Store s = open();
  auto acme = s.add_account("acme");
  ASSERT_TRUE(acme.ok()) << acme.error().message;
  EXPECT_GT(acme->id, 0);
  EXPECT_FALSE(acme->parent);

  auto marketing = s.add_account("acme.marketing", "acme");
  ASSERT_TRUE(marketing.ok()) << marketing.error().message;
  EXPECT_EQ(marketing->parent, "acme");

  auto dup = s.add_account("acme");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "account 'acme' already exists");

  auto orphan = s.add_account("x", "nope");
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message.find("'nope' does not exist"), std::string::npos);

  auto list = s.list_accounts();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "acme");
  EXPECT_EQ((*list)[1].name, "acme.marketing");
  EXPECT_EQ((*list)[1].parent, "acme");

  auto found = s.find_account("acme.marketing");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->parent, "acme");
  auto missing = s.find_account("ghost");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, AccountNameRules) {
  EXPECT_TRUE(validate_account_name("a").ok());
  EXPECT_TRUE(validate_account_name("0acme_dev-1.x").ok());
  EXPECT_TRUE(validate_account_name(std::string(64, 'a')).ok());
  EXPECT_FALSE(validate_account_name("").ok());
  EXPECT_FALSE(validate_account_name(std::string(65, 'a')).ok());
  EXPECT_FALSE(validate_account_name("Acme").ok());
  EXPECT_FALSE(validate_account_name(".acme").ok());
  EXPECT_FALSE(validate_account_name("-acme").ok());
  EXPECT_FALSE(validate_account_name("ac me").ok());
  EXPECT_FALSE(validate_account_name("acme/x").ok());
  Store s = open();
  EXPECT_FALSE(s.add_account("Bad").ok());
  EXPECT_FALSE(s.add_account("good", "Bad Parent").ok());
}

TEST_F(StoreTest, RemoveAccountRefusesWhileInUse) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  ASSERT_TRUE(s.add_account("acme.dev", "acme").ok());
  ASSERT_TRUE(s.add_login("a@acme.test", "acme.dev", "$h").ok());
  EXPECT_FALSE(s.remove_account("acme").ok());      // has a sub-account
  EXPECT_FALSE(s.remove_account("acme.dev").ok());  // has a login
  ASSERT_TRUE(s.remove_login("a@acme.test").ok());
  EXPECT_TRUE(s.remove_account("acme.dev").ok());
  EXPECT_TRUE(s.remove_account("acme").ok());
  EXPECT_FALSE(s.remove_account("acme").ok());
}

TEST_F(StoreTest, LoginLifecycle) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  auto added = s.add_login("app@Acme.Example", "acme", "$argon2id$one");
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->address, "app@acme.example");
  EXPECT_EQ(added->account, "acme");

  auto dup = s.add_login("APP@acme.example", "acme", "$x");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("already exists"), std::string::npos);
  EXPECT_FALSE(s.add_login("b@acme.example", "ghost", "$x").ok());
  EXPECT_FALSE(s.add_login("no-at-sign", "acme", "$x").ok());
  EXPECT_FALSE(s.add_login("c@acme.example", "acme", "").ok());

  auto list = s.list_logins();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].address, "app@acme.example");
  EXPECT_EQ((*list)[0].account, "acme");
  EXPECT_GT((*list)[0].created_at, 0);

  auto rec = s.find_login("App@ACME.example");  // case-insensitive lookup
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->address, "app@acme.example");
  EXPECT_EQ((*rec)->account, "acme");
  EXPECT_EQ((*rec)->password_hash, "$argon2id$one");

  ASSERT_TRUE(s.set_password_hash("app@acme.EXAMPLE", "$argon2id$two").ok());
  rec = s.find_login("app@acme.example");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->password_hash, "$argon2id$two");
  EXPECT_FALSE(s.set_password_hash("ghost@acme.example", "$x").ok());

  ASSERT_TRUE(s.remove_login("APP@acme.example").ok());
  rec = s.find_login("app@acme.example");
  ASSERT_TRUE(rec.ok());
  EXPECT_FALSE(rec->has_value());
  EXPECT_FALSE(s.remove_login("app@acme.example").ok());
  auto junk = s.find_login("not an address");
  ASSERT_TRUE(junk.ok());
  EXPECT_FALSE(junk->has_value());
}

TEST_F(StoreTest, NormalizesAddresses) {
  EXPECT_EQ(*normalize_login_address("Bob@EXAMPLE.Com"), "Bob@example.com");
  EXPECT_EQ(*normalize_login_address("a@b@c.d"), "a@b@c.d");  // splits at the last '@'
  EXPECT_FALSE(normalize_login_address("").ok());
  EXPECT_FALSE(normalize_login_address("@x.y").ok());
  EXPECT_FALSE(normalize_login_address("x@").ok());
  EXPECT_FALSE(normalize_login_address("a b@x.y").ok());
  EXPECT_FALSE(normalize_login_address(std::string("a\0b@x.y", 7)).ok());
  EXPECT_FALSE(normalize_login_address(std::string(65, 'a') + "@x.y").ok());
  EXPECT_FALSE(normalize_login_address("a@" + std::string(253, 'x')).ok());
}

TEST_F(StoreTest, ReopenPersists) {
  {
    Store s = open();
    ASSERT_TRUE(s.add_account("acme").ok());
    ASSERT_TRUE(s.add_login("a@acme.test", "acme", "$h").ok());
  }
  Store s = open();
  auto rec = s.find_login("a@acme.test");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->password_hash, "$h");
  EXPECT_EQ(*s.schema_version(), latest_schema_version());
}

TEST_F(StoreTest, TwoConnectionsSeeEachOthersWrites) {
  Store server = open();
  Store cli = open();
  ASSERT_TRUE(cli.add_account("acme").ok());
  ASSERT_TRUE(cli.add_login("a@acme.test", "acme", "$one").ok());
  auto rec = server.find_login("a@acme.test");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->password_hash, "$one");

  ASSERT_TRUE(cli.set_password_hash("a@acme.test", "$two").ok());
  rec = server.find_login("a@acme.test");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->password_hash, "$two");

  ASSERT_TRUE(server.add_account("beta").ok());
  EXPECT_FALSE(cli.add_account("beta").ok());
  ASSERT_TRUE(cli.remove_login("a@acme.test").ok());
  rec = server.find_login("a@acme.test");
  ASSERT_TRUE(rec.ok());
  EXPECT_FALSE(rec->has_value());
}

TEST_F(StoreTest, RefusesNewerSchema) {
  { Store s = open(); }
  {
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 999");
  }
  auto r = Store::open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("newer"), std::string::npos);
}

TEST_F(StoreTest, SafeFromSeveralThreads) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string addr = "u" + std::to_string(t) + "-" + std::to_string(i) + "@acme.test";
        if (!s.add_login(addr, "acme", "$h").ok()) ++failures;
        auto r = s.find_login(addr);
        if (!r.ok() || !r->has_value()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(s.list_logins()->size(), 100u);
}

TEST_F(StoreTest, MovedStoreKeepsWorking) {
  Store a = open();
  Store b = std::move(a);
  EXPECT_TRUE(b.add_account("acme").ok());
}

TEST_F(StoreTest, ApiKeysLifeCycle) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme"));
  ASSERT_TRUE(s.add_login("app@acme.example", "acme", "$argon2id$fake"));
  ApiKey k;
  k.id = "k1";
  k.account = "acme";
  k.name = "crm";
  k.scopes = {"mail.send"};
  k.sender_patterns = {"*@acme.example"};
  k.allowed_ips = {"192.0.2.0/24", "2001:db8::/32"};
  auto added = s.add_api_key(k, "abc123");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_GT(added->created_at, 0);
  EXPECT_FALSE(s.add_api_key(k, "again"));  // duplicate id
  k.account = "nope";
  k.id = "k2";
  EXPECT_FALSE(s.add_api_key(k, "x"));

  auto found = s.find_api_key("k1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->secret_hash, "abc123");
  EXPECT_EQ((*found)->key.allowed_ips, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_FALSE((*found)->key.revoked_at);

  ASSERT_TRUE(s.touch_api_key("k1", "192.0.2.7"));
  found = s.find_api_key("k1");
  EXPECT_EQ((*found)->key.last_used_ip, "192.0.2.7");

  ASSERT_TRUE(s.retire_api_key("k1", 2000000000, "k9"));
  ASSERT_TRUE(s.retire_api_key("k1", 2100000000, "k9"));  // never extends
  found = s.find_api_key("k1");
  EXPECT_EQ((*found)->key.expires_at, 2000000000);
  EXPECT_EQ((*found)->key.replaced_by, "k9");

  ASSERT_TRUE(s.revoke_api_key("k1"));
  EXPECT_FALSE(s.revoke_api_key("k1"));  // already revoked
  EXPECT_FALSE(s.revoke_api_key("missing"));
  EXPECT_TRUE((*s.find_api_key("k1"))->key.revoked_at);
  EXPECT_EQ(s.list_api_keys()->size(), 1u);
  auto addresses = s.account_login_addresses("acme");
  ASSERT_TRUE(addresses);
  EXPECT_EQ(*addresses, std::vector<std::string>{"app@acme.example"});
  ASSERT_TRUE(s.remove_login("app@acme.example"));
  EXPECT_FALSE(s.remove_account("acme"));  // keys are kept for the record
}

TEST_F(StoreTest, AuditTrailFiltersByTimeAndKind) {
  Store s = open();
  ASSERT_TRUE(s.add_audit({{0, 100, "auth", "auth_ok", "app@acme.example", "192.0.2.1", "PLAIN"},
                           {0, 200, "admin", "key_created", "root", "", "key k1"},
                           {0, 300, "auth", "auth_failed", "x@acme.example", "192.0.2.2", ""}}));
  auto all = s.list_audit(0, "", 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->front().event, "auth_ok");  // oldest first
  EXPECT_EQ(s.list_audit(150, "", 100)->size(), 2u);
  EXPECT_EQ(s.list_audit(0, "auth", 100)->size(), 2u);
  auto newest = s.list_audit(0, "", 1);
  EXPECT_EQ(newest->front().event, "auth_failed");
}

TEST_F(StoreTest, AuditWriterBatchesAndFlushesOnStop) {
  Store s = open();
  {
    AuditWriter w(s, std::chrono::milliseconds(50));
    for (int i = 0; i < 100; ++i) w.record({0, 0, "auth", "auth_ok", "a@x.example", "", ""});
  }
  EXPECT_EQ(s.list_audit(0, "auth", 1000)->size(), 100u);
}

}  // namespace
}  // namespace herald::store

namespace herald::store {
namespace {

TEST(DomainNames, NormalizeAndRefuse) {
  EXPECT_EQ(normalize_domain("Acme.Example.").value(), "acme.example");
  EXPECT_EQ(normalize_domain("xn--bcher-kva.example").value(), "xn--bcher-kva.example");
  EXPECT_FALSE(normalize_domain("localhost").ok());
  EXPECT_FALSE(normalize_domain("").ok());
  EXPECT_FALSE(normalize_domain("a..example").ok());
  EXPECT_FALSE(normalize_domain("-a.example").ok());
  EXPECT_FALSE(normalize_domain("a_b.example").ok());
  EXPECT_FALSE(normalize_domain("bücher.example").ok());
  EXPECT_FALSE(normalize_domain(std::string(64, 'a') + ".example").ok());
}

TEST_F(StoreTest, DomainsAndDkimKeys) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  ASSERT_TRUE(s.add_account("acme.news", "acme").ok());
  ASSERT_TRUE(s.add_account("other").ok());
  EXPECT_FALSE(s.add_domain("acme.example", "nobody").ok());
  auto d = s.add_domain("Acme.Example", "acme");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->name, "acme.example");
  EXPECT_FALSE(s.add_domain("acme.example", "other").ok());  // one owner per domain
  ASSERT_TRUE(s.add_domain("news.acme.example", "acme.news").ok());
  ASSERT_TRUE(s.add_domain("other.example", "other").ok());

  // A sub-account with domains of its own uses those; one without inherits
  // its parent's; a parent never gets its child's.
  EXPECT_EQ(s.account_domains("acme.news").value(), std::vector<std::string>{"news.acme.example"});
  ASSERT_TRUE(s.add_account("acme.dev", "acme").ok());
  ASSERT_TRUE(s.add_account("acme.dev.ci", "acme.dev").ok());
  EXPECT_EQ(s.account_domains("acme.dev.ci").value(), std::vector<std::string>{"acme.example"});
  EXPECT_EQ(s.account_domains("acme").value(), std::vector<std::string>{"acme.example"});
  EXPECT_EQ(s.account_domains("nobody").value(), std::vector<std::string>{});
  EXPECT_EQ(s.list_domains().value().size(), 3u);
  EXPECT_EQ(s.find_domain("ACME.example.").value()->account, "acme");
  EXPECT_FALSE(s.find_domain("nope.example").value().has_value());

  DkimKey k{"acme.example", "s1", "rsa-sha256", "/k/s1.pem", "v=DKIM1; k=rsa; p=AAA"};
  ASSERT_TRUE(s.add_dkim_key(k).ok());
  EXPECT_FALSE(s.add_dkim_key(k).ok());  // same selector twice
  k.selector = "s1e";
  k.algorithm = "ed25519-sha256";
  ASSERT_TRUE(s.add_dkim_key(k).ok());
  EXPECT_EQ(s.set_dkim_key_states("acme.example", "active", "retiring").value(), 2);
  k.selector = "s2";
  ASSERT_TRUE(s.add_dkim_key(k).ok());
  auto keys = s.list_dkim_keys("acme.example").value();
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].state, "retiring");
  EXPECT_EQ(keys[2].state, "active");
  EXPECT_EQ(s.set_dkim_key_states("acme.example", "retiring", "retired").value(), 2);
  keys = s.list_dkim_keys("acme.example").value();
  EXPECT_TRUE(keys[0].retired_at.has_value());
  EXPECT_FALSE(keys[2].retired_at.has_value());

  EXPECT_FALSE(s.remove_account("other").ok());  // still has a domain
  ASSERT_TRUE(s.remove_domain("other.example").ok());
  EXPECT_TRUE(s.remove_account("other").ok());
  ASSERT_TRUE(s.remove_domain("acme.example").ok());
  EXPECT_TRUE(s.list_dkim_keys("acme.example").value().empty());
}

}  // namespace
}  // namespace herald::store

namespace herald::store {
namespace {

TEST_F(StoreTest, SuppressionList) {
  Store s = open();
  EXPECT_TRUE(s.list_suppressions().value().empty());
  EXPECT_FALSE(s.find_suppression("bob@example.net").value().has_value());

  auto added = s.add_suppression("Bob@Example.NET", "550 5.1.1 user unknown", "bounce");
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->address, "Bob@example.net");
  EXPECT_EQ(added->source, "bounce");
  EXPECT_GT(added->created_at, 0);

  // Case-insensitive on both parts, like logins.
  auto found = s.find_suppression("bob@EXAMPLE.net").value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->reason, "550 5.1.1 user unknown");

  // Adding again updates the reason and source, keeps one row and its date.
  auto again = s.add_suppression("bob@example.net", "  complained\r\nBcc: x  ", "manual");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reason, "complained  Bcc: x");
  EXPECT_EQ(again->source, "manual");
  EXPECT_EQ(again->created_at, added->created_at);
  ASSERT_TRUE(s.add_suppression("alice@example.org", std::string(500, 'r'), "manual").ok());
  auto all = s.list_suppressions().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].address, "alice@example.org");  // by address, ignoring case
  EXPECT_EQ(all[0].reason.size(), 300u);
  EXPECT_EQ(all[1].address, "Bob@example.net");

  EXPECT_FALSE(s.add_suppression("not-an-address", "", "manual").ok());
  EXPECT_FALSE(s.add_suppression("x@example.net", "", "robot").ok());
  EXPECT_FALSE(s.find_suppression("not an address").value().has_value());

  ASSERT_TRUE(s.remove_suppression("BOB@example.net").ok());
  auto gone = s.remove_suppression("bob@example.net");
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().message.find("not on the suppression list"), std::string::npos);
  EXPECT_FALSE(s.find_suppression("bob@example.net").value().has_value());

  // Another connection (the CLI beside a running server) sees the change.
  Store other = open();
  EXPECT_TRUE(other.find_suppression("alice@example.org").value().has_value());
}

}  // namespace
}  // namespace herald::store

namespace herald::store {
namespace {

TEST_F(StoreTest, CramSecretColumnIsOptInAndReplacedWithThePassword) {
  {
    Store s = open();
    ASSERT_TRUE(s.add_account("acme").ok());
    ASSERT_TRUE(s.add_login("plain@acme.test", "acme", "$h", "SCRAM-SHA-256$k").ok());
    auto cram = s.add_login("cram@acme.test", "acme", "$h", "SCRAM-SHA-256$k", "secretbox1$n$c");
    ASSERT_TRUE(cram.ok());
    EXPECT_TRUE(cram->cram_md5);
    EXPECT_FALSE(s.add_login("big@acme.test", "acme", "$h", "", std::string(9000, 'x')).ok());
    auto list = s.list_logins().value();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].address, "cram@acme.test");
    EXPECT_TRUE(list[0].cram_md5);
    EXPECT_FALSE(list[1].cram_md5);
    EXPECT_EQ(s.find_login("CRAM@acme.test").value()->cram_secret, "secretbox1$n$c");
    EXPECT_EQ(s.find_login("plain@acme.test").value()->cram_secret, "");
    // A password change without a new CRAM-MD5 secret clears the old one.
    ASSERT_TRUE(s.set_password_hash("cram@acme.test", "$h2", "SCRAM-SHA-256$k2").ok());
    EXPECT_EQ(s.find_login("cram@acme.test").value()->cram_secret, "");
    ASSERT_TRUE(s.set_password_hash("cram@acme.test", "$h3", "", "secretbox1$n2$c2").ok());
    EXPECT_EQ(s.find_login("cram@acme.test").value()->cram_secret, "secretbox1$n2$c2");
  }
  // A database from before version 7 gains the column, empty for every
  // existing login (nobody has CRAM-MD5 until an administrator opts in).
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("ALTER TABLE logins DROP COLUMN cram_secret");
    db.exec("ALTER TABLE accounts DROP COLUMN max_messages_per_hour");  // v8
    db.exec("ALTER TABLE accounts DROP COLUMN max_recipients_per_hour");
    db.exec("DROP TABLE change_versions");  // v9
    db.exec("DROP TABLE admin_tokens");     // v10
    db.exec("DROP TABLE admin_users");      // v11
    for (const char* t : {"messages", "message_recipients", "message_events", "hourly_stats"}) {
      db.exec(std::string("DROP TABLE ") + t);  // v12
    }
    db.exec("DROP TABLE webhooks");  // v13
    db.exec("DROP TABLE webhook_outbox");
    for (const char* t : {"accounts", "domains", "dkim_keys", "suppressions"}) {
      for (const char* op : {"insert", "update", "delete"}) {
        db.exec(std::string("DROP TRIGGER IF EXISTS policy_") + t + "_" + op);
      }
    }
    db.exec("PRAGMA user_version = 6");
  }
  Store s = open();
  EXPECT_EQ(s.schema_version().value(), latest_schema_version());
  auto cram = s.find_login("cram@acme.test").value();
  ASSERT_TRUE(cram.has_value());
  EXPECT_EQ(cram->cram_secret, "");
  EXPECT_EQ(cram->password_hash, "$h3");
  // Held in a variable: value() of a temporary Result would dangle in the
  // range-for (GCC -O2 rightly warns).
  const auto logins = s.list_logins().value();
  for (const auto& l : logins) EXPECT_FALSE(l.cram_md5) << l.address;
}

TEST_F(StoreTest, RemoveAccountWithForce) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  ASSERT_TRUE(s.add_account("acme.news", "acme").ok());
  ASSERT_TRUE(s.add_account("acme.dev", "acme").ok());
  ASSERT_TRUE(s.add_account("other").ok());
  ASSERT_TRUE(s.add_login("a@acme.test", "acme", "$h").ok());
  ASSERT_TRUE(s.add_login("b@acme.test", "acme", "$h").ok());
  ASSERT_TRUE(s.add_login("o@other.test", "other", "$h").ok());
  ApiKey key;
  key.id = "kacmeacme001";
  key.account = "acme";
  key.scopes = {"mail.send"};
  ASSERT_TRUE(s.add_api_key(key, std::string(64, 'a')).ok());
  ASSERT_TRUE(s.revoke_api_key("kacmeacme001").ok());
  key.id = "kotherother1";
  key.account = "other";
  ASSERT_TRUE(s.add_api_key(key, std::string(64, 'b')).ok());
  ASSERT_TRUE(s.add_domain("acme.example", "acme").ok());
  ASSERT_TRUE(s.add_domain("other.example", "other").ok());
  ASSERT_TRUE(
      s.add_dkim_key({"acme.example", "s1-rsa", "rsa-sha256", "/k/acme/s1-rsa.pem", "v=DKIM1"})
          .ok());
  ASSERT_TRUE(
      s.add_dkim_key({"acme.example", "s1-ed", "ed25519-sha256", "/k/acme/s1-ed.pem", "v=DKIM1"})
          .ok());
  ASSERT_TRUE(
      s.add_dkim_key({"other.example", "s1", "rsa-sha256", "/k/other/s1.pem", "v=DKIM1"}).ok());

  // Without --force: refused, and the message says what to do.
  auto refused = s.remove_account("other");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
  // Sub-accounts are refused even with force, and named.
  auto parent = s.remove_account("acme", true);
  ASSERT_FALSE(parent.ok());
  EXPECT_NE(parent.error().message.find("acme.dev, acme.news"), std::string::npos)
      << parent.error().message;
  EXPECT_EQ(s.list_logins().value().size(), 3u);  // nothing was touched
  EXPECT_TRUE(s.find_domain("acme.example").value().has_value());

  ASSERT_TRUE(s.remove_account("acme.news").ok());  // empty: no force needed
  ASSERT_TRUE(s.remove_account("acme.dev", true).ok());
  auto removed = s.remove_account("acme", true);
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->logins, 2);
  EXPECT_EQ(removed->api_keys, 1);
  EXPECT_EQ(removed->domains, 1);
  EXPECT_EQ(removed->dkim_key_files,
            (std::vector<std::string>{"/k/acme/s1-rsa.pem", "/k/acme/s1-ed.pem"}));

  EXPECT_FALSE(s.find_account("acme").value().has_value());
  EXPECT_FALSE(s.find_login("a@acme.test").value().has_value());
  EXPECT_FALSE(s.find_api_key("kacmeacme001").value().has_value());
  EXPECT_FALSE(s.find_domain("acme.example").value().has_value());
  EXPECT_TRUE(s.list_dkim_keys("acme.example").value().empty());
  // The other account is untouched.
  EXPECT_TRUE(s.find_login("o@other.test").value().has_value());
  EXPECT_TRUE(s.find_api_key("kotherother1").value().has_value());
  EXPECT_EQ(s.list_dkim_keys("other.example").value().size(), 1u);
  // The rows are really gone: foreign keys hold and the names are free again.
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM dkim_keys").getInt(), 1);
  SQLite::Statement dangling(db, "PRAGMA foreign_key_check");
  EXPECT_FALSE(dangling.executeStep());
  ASSERT_TRUE(s.add_account("acme").ok());
  ASSERT_TRUE(s.add_domain("acme.example", "acme").ok());
  auto missing = s.remove_account("ghost", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
}

TEST_F(StoreTest, AccountLimitsAreInheritedUnlessSet) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  ASSERT_TRUE(s.add_account("acme.news", "acme").ok());
  ASSERT_TRUE(s.add_account("acme.news.weekly", "acme.news").ok());
  EXPECT_EQ(s.effective_account_limits("acme.news").value().messages_per_hour, 0);
  ASSERT_TRUE(s.set_account_limits("acme", {100, 1000}).ok());
  ASSERT_TRUE(s.set_account_limits("acme.news", {10, std::nullopt}).ok());
  auto weekly = s.effective_account_limits("acme.news.weekly").value();
  EXPECT_EQ(weekly.messages_per_hour, 10);      // from acme.news
  EXPECT_EQ(weekly.recipients_per_hour, 1000);  // from acme
  EXPECT_FALSE(s.account_limits("acme.news.weekly").value().messages_per_hour.has_value());
  ASSERT_TRUE(s.set_account_limits("acme.news", {}, true, false).ok());  // inherit again
  EXPECT_EQ(s.effective_account_limits("acme.news.weekly").value().messages_per_hour, 100);
  ASSERT_TRUE(s.set_account_limits("acme.news", {0, std::nullopt}).ok());  // unlimited
  EXPECT_EQ(s.effective_account_limits("acme.news.weekly").value().messages_per_hour, 0);
  EXPECT_FALSE(s.set_account_limits("nobody", {1, 1}).ok());
}

}  // namespace
}  // namespace herald::store

namespace herald::store {
namespace {

TEST_F(StoreTest, PolicyVersionMovesWithPolicyChangesOfAnyConnectionOnly) {
  Store server = open();
  ASSERT_TRUE(server.add_account("acme").ok());
  auto v1 = server.policy_version();
  ASSERT_TRUE(v1.has_value());
  // Nothing committed: the same answer, however often asked.
  EXPECT_EQ(server.policy_version(), v1);
  EXPECT_EQ(server.policy_version(), v1);

  // The server's own audit batches and API key use are not policy: the
  // caches built on the version must survive them.
  ASSERT_TRUE(
      server.add_audit({{0, 0, "auth", "auth_ok", "a@acme.example", "192.0.2.1", ""}}).ok());
  EXPECT_EQ(server.policy_version(), v1);

  // Its own policy writes count (bounces' suppressions).
  ASSERT_TRUE(server.add_suppression("gone@example.org", "bounced", "bounce").ok());
  auto v2 = server.policy_version();
  ASSERT_TRUE(v2.has_value());
  EXPECT_NE(*v2, *v1);

  // And so do another process's (the CLI: here a second Store on the file).
  {
    Store cli = open();
    ASSERT_TRUE(cli.remove_suppression("gone@example.org").ok());
  }
  auto v3 = server.policy_version();
  ASSERT_TRUE(v3.has_value());
  EXPECT_NE(*v3, *v2);
  // A read is not a change.
  ASSERT_TRUE(server.find_suppression("gone@example.org").ok());
  EXPECT_EQ(server.policy_version(), v3);

  // Every table the server caches moves it.
  auto moved = [&](auto change) {
    const auto before = server.policy_version();
    change();
    const auto after = server.policy_version();
    return before && after && *before != *after;
  };
  EXPECT_TRUE(moved([&] { ASSERT_TRUE(server.add_account("beta").ok()); }));
  EXPECT_TRUE(moved(
      [&] { ASSERT_TRUE(server.set_account_limits("beta", {.messages_per_hour = 5}).ok()); }));
  EXPECT_TRUE(moved([&] { ASSERT_TRUE(server.add_domain("beta.example", "beta").ok()); }));
  EXPECT_TRUE(moved([&] {
    ASSERT_TRUE(server
                    .add_dkim_key({"beta.example", "s1", "ed25519-sha256", "/k", "v=DKIM1; p=x",
                                   "active", 0, std::nullopt})
                    .ok());
  }));
  EXPECT_TRUE(moved(
      [&] { ASSERT_TRUE(server.set_dkim_key_states("beta.example", "active", "retiring").ok()); }));
  EXPECT_TRUE(moved([&] { ASSERT_TRUE(server.remove_domain("beta.example").ok()); }));
  EXPECT_TRUE(moved([&] { ASSERT_TRUE(server.remove_account("beta").ok()); }));
}

TEST_F(StoreTest, AccountPolicyIsDomainsAndLimitsTogether) {
  Store s = open();
  ASSERT_TRUE(s.add_account("acme").ok());
  ASSERT_TRUE(s.add_account("acme.news", std::string_view("acme")).ok());
  ASSERT_TRUE(s.add_domain("example.com", "acme").ok());
  ASSERT_TRUE(s.set_account_limits("acme", {.messages_per_hour = 100}).ok());
  ASSERT_TRUE(s.set_account_limits("acme.news", {.recipients_per_hour = 7}).ok());
  auto p = s.account_policy("acme.news");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->domains, std::vector<std::string>{"example.com"});
  EXPECT_EQ(p->limits.messages_per_hour, 100);
  EXPECT_EQ(p->limits.recipients_per_hour, 7);
  // Compiled once, run many times: later changes are still seen.
  ASSERT_TRUE(s.add_domain("news.example.com", "acme.news").ok());
  p = s.account_policy("acme.news");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->domains, std::vector<std::string>{"news.example.com"});
  auto none = s.account_policy("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->domains.empty());
}

ActivityEvent activity(std::string id, std::string type, std::string message, std::int64_t at_ms,
                       std::string recipient = "") {
  ActivityEvent e;
  e.id = std::move(id);
  e.type = std::move(type);
  e.message_id = std::move(message);
  e.at_ms = at_ms;
  e.account = "acme";
  e.recipient = std::move(recipient);
  return e;
}

TEST_F(StoreTest, ActivityTimelinesSearchesCountersAndPruning) {
  Store s = open();
  const std::int64_t t0 = 1'800'000'000'000;  // ms; an hour boundary is not needed
  auto received = activity("ev1", "received", "m1", t0);
  received.sender = "app@acme.test";
  received.identity = "app@acme.test";
  received.client_ip = "192.0.2.1";
  received.size = 1234;
  received.recipients = {"a@example.net", "b@example.net"};
  auto other = activity("ev2", "received", "m2", t0 + 1000);
  other.account = "beta";
  other.sender = "x@beta.test";
  other.recipients = {"a@example.net"};
  ASSERT_TRUE(s.record_activity({received, other}).ok());
  ASSERT_TRUE(s.record_activity({activity("ev3", "delivered", "m1", t0 + 5000, "a@example.net"),
                                 activity("ev4", "deferred", "m1", t0 + 5000, "b@example.net"),
                                 activity("ev4", "deferred", "m1", t0 + 5000, "b@example.net"),
                                 activity("ev5", "rejected", "", t0 + 6000)})
                  .ok());
  auto m1 = s.find_message("m1");
  ASSERT_TRUE(m1.ok()) << m1.error().message;
  ASSERT_TRUE(m1->has_value());
  EXPECT_EQ((*m1)->message.status, "deferred");
  EXPECT_EQ((*m1)->events.size(), 3u);  // the repeated event id is kept once; rejected not here
  EXPECT_EQ((*m1)->message.recipients[0].status, "delivered");

  // A hard bounce, then the suppression it caused: the bounce stays the state.
  ASSERT_TRUE(s.record_activity({activity("ev6", "bounced", "m1", t0 + 9000, "b@example.net"),
                                 activity("ev7", "suppressed", "m1", t0 + 9000, "b@example.net")})
                  .ok());
  m1 = s.find_message("m1");
  EXPECT_EQ((*m1)->message.status, "partial");
  EXPECT_EQ((*m1)->message.recipients[1].status, "bounced");

  MessageQuery q;
  q.to = "A@EXAMPLE.NET";
  auto both = s.search_messages(q);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].id, "m2");  // newest first
  q.accounts = {"acme"};
  EXPECT_EQ(s.search_messages(q)->size(), 1u);
  q = {};
  q.status = "bounced";  // a recipient's status matches too
  EXPECT_EQ(s.search_messages(q)->size(), 1u);
  q = {};
  q.limit = 1;
  auto first = s.search_messages(q).value();
  q.after = std::pair{first[0].received_at, first[0].id};
  auto second = s.search_messages(q).value();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, "m1");

  const std::int64_t hour = t0 / 1000 / 3600 * 3600;
  auto stats = s.hourly_stats({"acme"}, hour, hour + 3600);
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].accepted, 1);
  EXPECT_EQ((*stats)[0].delivered, 1);
  EXPECT_EQ((*stats)[0].deferred, 1);
  EXPECT_EQ((*stats)[0].bounced, 1);
  EXPECT_EQ((*stats)[0].suppressed, 1);
  EXPECT_EQ((*stats)[0].rejected, 1);
  EXPECT_EQ(s.hourly_stats({}, hour, hour + 3600)->size(), 2u);

  auto pruned = s.prune_activity(t0 / 1000 + 1, hour);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);  // m1 (m2 was received a second later)
  EXPECT_FALSE(s.find_message("m1")->has_value());
  EXPECT_TRUE(s.find_message("m2")->has_value());
  EXPECT_EQ(s.hourly_stats({}, hour, hour + 3600)->size(), 2u);  // counters kept longer
}

}  // namespace
}  // namespace herald::store
