// admin::Admin — SMTP logins: add, list, change password, remove. The
// password becomes its Argon2id hash, SCRAM-SHA-256 keys and (opt-in) a
// sealed CRAM-MD5 secret here, and is wiped; it is never stored or logged.
#include <sodium.h>

#include <filesystem>

#include "herald/admin/admin.hpp"
#include "herald/admin/checks.hpp"
#include "herald/auth/cram_key.hpp"
#include "herald/auth/password_hash.hpp"
#include "herald/auth/scram.hpp"

namespace herald::admin {
namespace {

struct Secrets {
  std::string hash;
  std::string scram_keys;
  std::string cram_secret;  // empty: no CRAM-MD5
};

// Wipes `password` whatever happens.
Result<Secrets> secrets_of(std::string& password, const config::Config& config, bool cram) {
  struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
  } wipe{password};
  auto hash = hash_new_password(password);
  if (!hash) return hash.error();
  auto scram = auth::make_scram_keys(password);
  if (!scram) return scram.error();
  Secrets s{std::move(*hash), auth::format_scram_keys(*scram), {}};
  if (cram) {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    auto key = auth::CramKey::load_or_create(auth::cram_key_path(config.data_dir));
    if (!key) return key.error();
    auto sealed = key->seal(password);
    if (!sealed) return sealed.error();
    s.cram_secret = std::move(*sealed);
  }
  return s;
}

}  // namespace

Result<std::vector<store::Login>> Admin::list_logins(const Actor& actor) {
  auto logins = store_.list_logins();
  if (!logins) return logins.error();
  if (actor.read_all) return logins;
  auto t = tree();
  if (!t) return t.error();
  std::vector<store::Login> visible;
  for (auto& l : *logins) {
    if (actor.owns(*t, l.account)) visible.push_back(std::move(l));
  }
  return visible;
}

Result<store::Login> Admin::add_login(const Actor& actor, LoginInput input) {
  auto t = tree();
  if (!t) {
    sodium_memzero(input.password.data(), input.password.size());
    return t.error();
  }
  if (auto ok = check_write(actor, *t, input.account); !ok) {
    sodium_memzero(input.password.data(), input.password.size());
    return ok.error();
  }
  if (auto address = store::normalize_login_address(input.address); !address) {
    sodium_memzero(input.password.data(), input.password.size());
    return address.error();
  }
  auto secrets = secrets_of(input.password, config_, input.cram_md5);
  if (!secrets) return secrets.error();
  auto added = store_.add_login(input.address, input.account, secrets->hash, secrets->scram_keys,
                                secrets->cram_secret);
  if (!added) return added.error();
  audit(actor, "login_added",
        "login=" + added->address + " account=" + added->account +
            (added->cram_md5 ? " cram_md5=on" : ""));
  return added;
}

Result<void> Admin::set_password(const Actor& actor, std::string_view address, std::string password,
                                 PasswordChange& change) {
  auto before = store_.find_login(address);
  auto t = before ? tree() : Result<AccountTree>(before.error());
  if (!before || !t) {
    sodium_memzero(password.data(), password.size());
    return before ? t.error() : before.error();
  }
  if (!*before || !actor.may_read(*t, (*before)->account)) {
    sodium_memzero(password.data(), password.size());
    return base::make_error(
        base::ErrorKind::not_found,
        "login '" + std::string(address) + "' does not exist; see 'herald user list'");
  }
  if (auto ok = check_write(actor, *t, (*before)->account); !ok) {
    sodium_memzero(password.data(), password.size());
    return ok.error();
  }
  change.had_cram_md5 = !(*before)->cram_secret.empty();
  auto secrets = secrets_of(password, config_, change.cram_md5);
  if (!secrets) return secrets.error();
  auto changed =
      store_.set_password_hash(address, secrets->hash, secrets->scram_keys, secrets->cram_secret);
  if (!changed) return changed.error();
  audit(actor, "password_changed",
        "login=" + std::string(address) + (change.cram_md5 ? " cram_md5=on" : "") +
            (change.had_cram_md5 && !change.cram_md5 ? " cram_md5=off" : ""));
  return {};
}

Result<void> Admin::remove_login(const Actor& actor, std::string_view address) {
  auto before = store_.find_login(address);
  if (!before) return before.error();
  auto t = tree();
  if (!t) return t.error();
  if (*before) {
    if (auto ok = check_write(actor, *t, (*before)->account); !ok) return ok.error();
  } else if (!actor.write_all) {
    return base::make_error(
        base::ErrorKind::not_found,
        "login '" + std::string(address) + "' does not exist; see 'herald user list'");
  }
  auto removed = store_.remove_login(address);
  if (!removed) return removed.error();
  audit(actor, "login_removed", "login=" + std::string(address));
  return {};
}

}  // namespace herald::admin
