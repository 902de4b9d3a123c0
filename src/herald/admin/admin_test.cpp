// Tests for admin::Admin: typed errors, token scopes (global read/write and
// tenants with their sub-accounts), the audit trail's actor, admin tokens
// and their verification.
#include "herald/admin/admin.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "herald/admin/json.hpp"
#include "herald/auth/admin_token.hpp"
#include "herald/dns/test_resolver.hpp"

namespace herald::admin {
namespace {

namespace fs = std::filesystem;
using base::ErrorKind;

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("herald-admin-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_.data_dir = dir_.string();
    auto s = store::Store::open((dir_ / "herald.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_.emplace(std::move(*s));
    admin_.emplace(*store_, config_);
    cli_.name = "root";
    // acme with sub-account acme.news; beta alone.
    ASSERT_TRUE(admin_->add_account(cli_, {"acme", std::nullopt}).ok());
    ASSERT_TRUE(admin_->add_account(cli_, {"acme.news", std::string("acme")}).ok());
    ASSERT_TRUE(admin_->add_account(cli_, {"beta", std::nullopt}).ok());
  }
  void TearDown() override {
    admin_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Actor token(std::vector<std::string> scopes) {
    auto a = Actor::from_scopes("token:t", "192.0.2.9", scopes);
    EXPECT_TRUE(a.ok());
    return *a;
  }

  static std::vector<std::string> names(const std::vector<store::Account>& accounts) {
    std::vector<std::string> out;
    for (const auto& a : accounts) out.push_back(a.name);
    return out;
  }

  fs::path dir_;
  config::Config config_;
  std::optional<store::Store> store_;
  std::optional<Admin> admin_;
  Actor cli_;
};

TEST_F(AdminTest, ErrorsAreTyped) {
  auto dup = admin_->add_account(cli_, {"acme", std::nullopt});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, ErrorKind::conflict);
  auto bad = admin_->add_account(cli_, {"Not Valid", std::nullopt});
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
  auto missing = admin_->get_account(cli_, "nobody");
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  auto busy = admin_->remove_account(cli_, "acme", false);
  EXPECT_EQ(busy.error().kind, ErrorKind::conflict);  // it has a sub-account
  auto scope = admin_->create_key(cli_, {.account = "acme", .scopes = {"mail.send:"}});
  EXPECT_EQ(scope.error().kind, ErrorKind::invalid);
  auto short_password = admin_->add_login(cli_, {"a@acme.example", "acme", "short", false});
  EXPECT_EQ(short_password.error().kind, ErrorKind::invalid);
}

TEST_F(AdminTest, TenantSeesItsAccountAndSubAccountsOnly) {
  const Actor tenant = token({"account:acme"});
  auto listed = admin_->list_accounts(tenant);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(names(*listed), (std::vector<std::string>{"acme", "acme.news"}));
  // Another account looks like no account at all.
  EXPECT_EQ(admin_->get_account(tenant, "beta").error().kind, ErrorKind::not_found);
  EXPECT_TRUE(admin_->get_account(tenant, "acme.news").ok());
  // It may add a sub-account below its own, not a top-level account.
  EXPECT_TRUE(admin_->add_account(tenant, {"acme.dev", std::string("acme")}).ok());
  EXPECT_EQ(admin_->add_account(tenant, {"gamma", std::nullopt}).error().kind,
            ErrorKind::forbidden);
  EXPECT_EQ(admin_->add_account(tenant, {"beta.x", std::string("beta")}).error().kind,
            ErrorKind::forbidden);
  // It may remove its sub-accounts, never its own account.
  EXPECT_TRUE(admin_->remove_account(tenant, "acme.dev", false).ok());
  EXPECT_EQ(admin_->remove_account(tenant, "acme", true).error().kind, ErrorKind::forbidden);
  // Keys and logins: its own only, in lists too.
  ASSERT_TRUE(admin_->create_key(cli_, {.account = "beta"}).ok());
  auto own = admin_->create_key(tenant, {.account = "acme.news", .name = "crm"});
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_EQ(admin_->create_key(tenant, {.account = "beta"}).error().kind, ErrorKind::forbidden);
  auto keys = admin_->list_keys(tenant);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].account, "acme.news");
  // Global things are not a tenant's.
  EXPECT_EQ(admin_->list_suppressions(tenant).error().kind, ErrorKind::forbidden);
  EXPECT_EQ(admin_->list_audit(tenant, {}).error().kind, ErrorKind::forbidden);
  EXPECT_EQ(admin_->list_admin_tokens(tenant).error().kind, ErrorKind::forbidden);
}

TEST_F(AdminTest, ReadScopeReadsEverythingAndChangesNothing) {
  const Actor reader = token({"admin:read"});
  EXPECT_EQ(names(*admin_->list_accounts(reader)).size(), 3u);
  EXPECT_TRUE(admin_->list_suppressions(reader).ok());
  EXPECT_EQ(admin_->add_account(reader, {"x", std::nullopt}).error().kind, ErrorKind::forbidden);
  EXPECT_EQ(admin_->add_suppression(reader, "a@example.org", "r").error().kind,
            ErrorKind::forbidden);
  EXPECT_EQ(admin_->create_admin_token(reader, {"n", {"admin:read"}}).error().kind,
            ErrorKind::forbidden);
}

TEST_F(AdminTest, ChangesAreAuditedWithTheActor) {
  const Actor writer = token({"admin:write"});
  ASSERT_TRUE(admin_->add_suppression(writer, "gone@example.org", "asked").ok());
  auto events = store_->list_audit(0, "admin", 100);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  const auto& last = events->back();
  EXPECT_EQ(last.event, "suppression_added");
  EXPECT_EQ(last.identity, "token:t");
  EXPECT_EQ(last.ip, "192.0.2.9");
}

TEST_F(AdminTest, AdminTokensAreShownOnceAndVerified) {
  auto created = admin_->create_admin_token(cli_, {"deploy", {"account:acme"}, {"192.0.2.0/24"}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->secret.starts_with("hat_"));
  EXPECT_EQ(admin_->create_admin_token(cli_, {"deploy", {"admin:read"}}).error().kind,
            ErrorKind::conflict);
  EXPECT_EQ(admin_->create_admin_token(cli_, {"x", {"root"}}).error().kind, ErrorKind::invalid);
  // Listed without its secret.
  auto listed = admin_->list_admin_tokens(cli_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(to_json(listed->front()).dump().find(created->secret), std::string::npos);

  auth::AdminTokenVerifier verifier(*store_);
  auto ok = verifier.verify(created->secret, "192.0.2.7");
  ASSERT_TRUE(ok.ok) << ok.reason_for_log;
  EXPECT_EQ(ok.token.name, "deploy");
  EXPECT_FALSE(verifier.verify(created->secret, "198.51.100.1").ok);  // outside its allowlist
  std::string wrong = created->secret;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(verifier.verify(wrong, "192.0.2.7").ok);
  EXPECT_FALSE(verifier.verify("hat_nonsense", "192.0.2.7").ok);
  ASSERT_TRUE(admin_->revoke_admin_token(cli_, created->token.id).ok());
  EXPECT_FALSE(verifier.verify(created->secret, "192.0.2.7").ok);
  EXPECT_EQ(admin_->revoke_admin_token(cli_, created->token.id).error().kind, ErrorKind::conflict);
}

TEST_F(AdminTest, JsonFormsHaveNoSecrets) {
  auto login = admin_->add_login(cli_, {"app@acme.example", "acme", "a long password", false});
  ASSERT_TRUE(login.ok()) << login.error().message;
  const auto j = to_json(*login);
  EXPECT_EQ(j["address"], "app@acme.example");
  EXPECT_EQ(j.dump().find("argon2"), std::string::npos);
  auto key = admin_->create_key(cli_, {.account = "acme"});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(to_json(key->key).dump().find(key->token), std::string::npos);
  EXPECT_EQ(to_json(*key)["token"], key->token);
  EXPECT_TRUE(to_json(key->key)["expires_at"].is_null());
}

TEST_F(AdminTest, DomainsBelongToTenantsAndTheirKeysFiles) {
  auto acme = token({"account:acme"});
  // Ed25519 only: key generation stays fast in a unit test.
  auto added = admin_->add_domain(acme, {"News.Acme.Example", "acme.news", "s1", {"ed25519"}});
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->domain.name, "news.acme.example");
  ASSERT_EQ(added->keys.size(), 1u);
  EXPECT_EQ(added->keys[0].selector, "s1");
  const fs::path key_file = added->keys[0].key_file;
  EXPECT_TRUE(fs::exists(key_file));
  EXPECT_EQ(fs::status(key_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  // The JSON form never names the private key's file.
  EXPECT_EQ(to_json(*added).dump().find(".pem"), std::string::npos);

  auto beta = token({"account:beta"});
  EXPECT_EQ(admin_->add_domain(beta, {"x.example", "acme", "", {"ed25519"}}).error().kind,
            ErrorKind::forbidden);
  // Another tenant's domain looks like no domain at all.
  EXPECT_EQ(admin_->get_domain(beta, "news.acme.example").error().kind, ErrorKind::not_found);
  EXPECT_EQ(admin_->remove_domain(beta, "news.acme.example").error().kind, ErrorKind::not_found);
  EXPECT_TRUE(admin_->list_domains(beta)->empty());
  EXPECT_EQ(admin_->list_domains(acme)->size(), 1u);
  EXPECT_EQ(admin_->add_domain(cli_, {"bad domain", "acme", "", {}}).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_domain(cli_, {"y.example", "acme", "-bad-", {}}).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_domain(cli_, {"y.example", "acme", "", {"dsa"}}).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_domain(cli_, {"news.acme.example", "acme", "", {"ed25519"}}).error().kind,
            ErrorKind::conflict);

  // Rotation: the old key retires, the new one signs; retiring deletes the file.
  auto rotated = admin_->rotate_dkim(acme, "news.acme.example", "s2");
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  ASSERT_EQ(rotated->keys.size(), 1u);
  EXPECT_EQ(rotated->keys[0].algorithm, "ed25519-sha256");  // the active ones' algorithms
  auto view = admin_->get_domain(acme, "news.acme.example");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->keys[0].state, "retiring");
  EXPECT_EQ(view->keys[1].state, "active");
  auto retired = admin_->retire_dkim(acme, "news.acme.example");
  ASSERT_TRUE(retired.ok()) << retired.error().message;
  EXPECT_FALSE(fs::exists(key_file));
  EXPECT_EQ(admin_->retire_dkim(acme, "news.acme.example").error().kind, ErrorKind::conflict);

  ASSERT_TRUE(admin_->remove_domain(acme, "news.acme.example").ok());
  EXPECT_FALSE(fs::exists(view->keys[1].key_file));
  auto audit = store_->list_audit(0, "admin", 100);
  ASSERT_TRUE(audit.ok());
  int domain_events = 0;
  for (const auto& e : *audit) {
    if (e.event.rfind("domain_", 0) == 0 || e.event.rfind("dkim_", 0) == 0) {
      ++domain_events;
      EXPECT_EQ(e.identity, "token:t");
    }
  }
  EXPECT_EQ(domain_events, 4);  // added, rotated, retired, removed
}

TEST_F(AdminTest, VerifyJudgesEveryRecordFromOneResolver) {
  config_.hostname = "mail.herald.example";
  auto added = admin_->add_domain(cli_, {"acme.example", "acme", "s1", {"ed25519"}});
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(admin_->verify_domain(cli_, "acme.example").error().kind, ErrorKind::unavailable);

  dns::test::ScriptedResolver resolver;
  auto txt = [](std::string value) {
    auto a = dns::test::ok_answer();
    a.txt.push_back(std::move(value));
    return a;
  };
  resolver.set("s1._domainkey.acme.example.", dns::RecordType::TXT, txt(added->keys[0].public_txt));
  resolver.set("acme.example.", dns::RecordType::TXT, txt("v=spf1 a:mail.herald.example -all"));
  admin_->set_resolver(&resolver);
  auto check = admin_->verify_domain(cli_, "acme.example");
  ASSERT_TRUE(check.ok()) << check.error().message;
  std::map<std::string, std::string> status;
  for (const auto& v : check->records) status[record_kind_name(v.expected.kind)] = v.status;
  EXPECT_EQ(status["DKIM"], "ok");
  EXPECT_EQ(status["SPF"], "ok");
  EXPECT_EQ(status["DMARC"], "missing");
  EXPECT_GT(check->problems, 0);
  EXPECT_EQ(to_json(*check)["problems"], check->problems);
  admin_->set_resolver(nullptr);
}

TEST_F(AdminTest, AdminUsersFollowTheRoleRules) {
  auto writer = token({"admin:write"});
  // A token may add admins, viewers and account-admins, never an owner.
  EXPECT_EQ(
      admin_->add_admin_user(writer, {"eve", "owner", {}, {}, "a long password"}).error().kind,
      ErrorKind::forbidden);
  auto added = admin_->add_admin_user(writer, {"ann", "admin", {}, {"192.0.2.0/24"}, "a long pw"});
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->role, "admin");
  EXPECT_EQ(added->created_by, "token:t");
  EXPECT_FALSE(added->totp_enabled);
  EXPECT_EQ(admin_->add_admin_user(writer, {"ann", "viewer", {}, {}, "a long pw"}).error().kind,
            ErrorKind::conflict);
  EXPECT_EQ(
      admin_->add_admin_user(writer, {"bob", "account-admin", {}, {}, "a long pw"}).error().kind,
      ErrorKind::invalid);  // no account
  EXPECT_EQ(admin_->add_admin_user(writer, {"bob", "account-admin", "nobody", {}, "a long pw"})
                .error()
                .kind,
            ErrorKind::not_found);
  EXPECT_EQ(admin_->add_admin_user(writer, {"bob", "viewer", "acme", {}, "a long pw"}).error().kind,
            ErrorKind::invalid);  // only account-admins have an account
  EXPECT_EQ(admin_->add_admin_user(writer, {"bob", "root", {}, {}, "a long pw"}).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_admin_user(writer, {"bob", "viewer", {}, {}, "short"}).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_admin_user(writer, {"b b", "viewer", {}, {}, "a long pw"}).error().kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_admin_user(writer, {"bob", "viewer", {}, {"300.0.0.1"}, "a long pw"})
                .error()
                .kind,
            ErrorKind::invalid);
  EXPECT_EQ(admin_->add_admin_user(token({"admin:read"}), {"bob", "viewer", {}, {}, "a long pw"})
                .error()
                .kind,
            ErrorKind::forbidden);
  EXPECT_EQ(admin_->list_admin_users(token({"account:acme"})).error().kind, ErrorKind::forbidden);
  ASSERT_TRUE(
      admin_->add_admin_user(writer, {"bob", "account-admin", "acme", {}, "a long pw"}).ok());

  // Only the password's Argon2id hash is stored.
  auto record = store_->find_admin_user("ann");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(to_json(*added).dump().find("argon2"), std::string::npos);

  // Owners: added by the CLI; the last one cannot go; tokens cannot touch them.
  ASSERT_TRUE(admin_->add_admin_user(cli_, {"olga", "owner", {}, {}, "a long password"}).ok());
  EXPECT_EQ(admin_->remove_admin_user(writer, "olga").error().kind, ErrorKind::forbidden);
  EXPECT_EQ(admin_->reset_admin_user_2fa(writer, "olga").error().kind, ErrorKind::forbidden);
  EXPECT_EQ(admin_->remove_admin_user(cli_, "olga").error().kind, ErrorKind::conflict);
  ASSERT_TRUE(admin_->add_admin_user(cli_, {"oscar", "owner", {}, {}, "a long password"}).ok());
  auto olga = Actor::admin_user("olga", Role::owner, std::nullopt, "192.0.2.1");
  EXPECT_TRUE(admin_->remove_admin_user(olga, "oscar").ok());
  EXPECT_TRUE(admin_->reset_admin_user_2fa(writer, "ann").ok());
  EXPECT_EQ(admin_->remove_admin_user(writer, "nobody").error().kind, ErrorKind::not_found);
  auto users = admin_->list_admin_users(token({"admin:read"}));
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 3u);  // ann, bob, olga (by name)
  EXPECT_EQ((*users)[1].account.value_or(""), "acme");
}

TEST_F(AdminTest, AdminUserRolesBecomeActors) {
  auto tree_or = store_->list_accounts();
  ASSERT_TRUE(tree_or.ok());
  AccountTree tree;
  for (const auto& a : *tree_or) tree.emplace(a.name, a.parent);
  auto viewer = Actor::admin_user("v", Role::viewer, std::nullopt, "");
  EXPECT_TRUE(viewer.read_all);
  EXPECT_FALSE(viewer.may_write(tree, "acme"));
  auto account_admin = Actor::admin_user("a", Role::account_admin, "acme", "");
  EXPECT_FALSE(account_admin.read_all);
  EXPECT_TRUE(account_admin.may_write(tree, "acme.news"));
  EXPECT_FALSE(account_admin.may_read(tree, "beta"));
  auto admin_role = Actor::admin_user("b", Role::admin, std::nullopt, "");
  EXPECT_TRUE(admin_role.write_all);
  EXPECT_FALSE(admin_role.owner);
  EXPECT_EQ(admin_role.name, "user:b");
  EXPECT_EQ(parse_role("account-admin").value(), Role::account_admin);
  EXPECT_FALSE(parse_role("superuser").ok());
}

}  // namespace
}  // namespace herald::admin
