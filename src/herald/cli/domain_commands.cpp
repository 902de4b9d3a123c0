// `herald domain ...`: sending domains and their DKIM keys. add generates
// the key pairs (private keys 0600 under data_dir/dkim/DOMAIN/), dns prints
// the records to publish, rotate-dkim starts and ends a key rotation.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/cli/commands.hpp"
#include "herald/cli/domain_common.hpp"
#include "herald/dkim/domain_records.hpp"
#include "herald/dkim/key_generator.hpp"
#include "herald/store/store.hpp"

namespace herald::cli {
namespace {

namespace fs = std::filesystem;

// Writes the PEM with O_EXCL and mode 0600 from the start (never a moment
// where the key is readable by others), and syncs it before the store row
// that points at it is written.
base::Result<void> write_private_key(const fs::path& path, const std::string& pem) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return base::make_error("cannot create " + path.parent_path().string() + ": " + ec.message());
  ::chmod(path.parent_path().c_str(), 0700);
  ::chmod(path.parent_path().parent_path().c_str(), 0700);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return base::make_error("cannot create " + path.string() + ": " + std::strerror(errno));
  bool ok =
      ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    fs::remove(path, ec);
    return base::make_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return {};
}

base::Result<std::vector<dkim::Algorithm>> parse_algorithms(const std::vector<std::string>& names) {
  std::vector<dkim::Algorithm> out;
  for (const auto& n : names) {
    dkim::Algorithm a;
    if (n == "rsa2048" || n == "rsa") {
      a = dkim::Algorithm::kRsaSha256;
    } else if (n == "ed25519") {
      a = dkim::Algorithm::kEd25519Sha256;
    } else {
      return base::make_error("--algorithm " + n + ": choose rsa2048 or ed25519");
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  // Both by default: receivers that know Ed25519 (RFC 8463) check the
  // short key, the others the RSA one.
  if (out.empty()) out = {dkim::Algorithm::kRsaSha256, dkim::Algorithm::kEd25519Sha256};
  return out;
}

dkim::Algorithm algorithm_from_name(std::string_view name) {
  return name == "ed25519-sha256" ? dkim::Algorithm::kEd25519Sha256 : dkim::Algorithm::kRsaSha256;
}

std::string date_stamp(const char* format) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// Generates one key per algorithm, writes the files and records them.
// Selectors: BASE alone for one algorithm, BASE-rsa and BASE-ed for two.
base::Result<std::vector<store::DkimKey>> create_keys(store::Store& store,
                                                      const config::Config& config,
                                                      const std::string& domain,
                                                      const std::string& base,
                                                      const std::vector<dkim::Algorithm>& algs) {
  std::vector<store::DkimKey> made;
  for (auto a : algs) {
    std::string selector = base;
    if (algs.size() > 1) selector += a == dkim::Algorithm::kRsaSha256 ? "-rsa" : "-ed";
    auto pair = dkim::generate_key_pair(a);
    if (!pair) return pair.error();
    fs::path file = fs::path(config.data_dir) / "dkim" / domain / (selector + ".pem");
    if (auto w = write_private_key(file, pair->private_key_pem); !w) return w.error();
    store::DkimKey key{domain, selector, std::string(dkim::algorithm_name(a)), file.string(),
                       pair->dns_txt};
    if (auto r = store.add_dkim_key(key); !r) {
      std::error_code ec;
      fs::remove(file, ec);
      return r.error();
    }
    made.push_back(std::move(key));
  }
  return made;
}

std::string describe(const std::vector<store::DkimKey>& keys) {
  std::string out;
  for (const auto& k : keys)
    out += (out.empty() ? "" : ", ") + k.selector + " (" + k.algorithm + ")";
  return out;
}

// A selector base not used yet by the domain: BASE, BASE-2, BASE-3...
std::string free_selector(const std::vector<store::DkimKey>& existing, const std::string& base) {
  auto taken = [&](const std::string& s) {
    for (const auto& k : existing) {
      if (k.selector == s || k.selector == s + "-rsa" || k.selector == s + "-ed") return true;
    }
    return false;
  };
  std::string candidate = base;
  for (int n = 2; taken(candidate); ++n) candidate = base + "-" + std::to_string(n);
  return candidate;
}

}  // namespace

void add_domain_commands(CLI::App& app, Globals& globals) {
  auto* domain = app.add_subcommand("domain", "sending domains, DKIM keys and DNS records");
  domain->require_subcommand(1);

  struct AddOptions {
    std::string name, account, selector;
    std::vector<std::string> algorithms;
  };
  auto a = std::make_shared<AddOptions>();
  auto* add = domain->add_subcommand("add", "add a sending domain and generate its DKIM keys");
  add->add_option("domain", a->name, "the domain, e.g. example.com")->required();
  add->add_option("--account", a->account, "account that may send from it")->required();
  add->add_option("--selector", a->selector, "DKIM selector (default: herald + YYYYMM)");
  add->add_option("--algorithm", a->algorithms,
                  "rsa2048 or ed25519; repeatable; default: both (dual signing)");
  add->callback([a, &globals] {
    auto ctx = open_domain_context(globals);
    if (!ctx) return fail(globals, ctx.error().message);
    auto name = ascii_domain(a->name);
    if (!name) return fail(globals, name.error().message);
    auto algs = parse_algorithms(a->algorithms);
    if (!algs) return fail(globals, algs.error().message);
    std::string base = a->selector.empty() ? "herald" + date_stamp("%Y%m") : a->selector;
    if (auto v = validate_selector(base); !v) return fail(globals, v.error().message);
    auto added = ctx->store.add_domain(*name, a->account);
    if (!added) return fail(globals, added.error().message);
    auto keys = create_keys(ctx->store, ctx->config, added->name, base, *algs);
    if (!keys) {
      (void)ctx->store.remove_domain(added->name);
      return fail(globals, keys.error().message);
    }
    audit_admin(ctx->store, "domain_added",
                "domain=" + added->name + " account=" + a->account + " keys=" + describe(*keys));
    std::cout << "Domain " << added->name << " added for account " << a->account
              << ", DKIM keys: " << describe(*keys) << ".\nPublish its records ('herald domain dns "
              << added->name << "'), then check them with 'herald domain verify " << added->name
              << "'.\n";
  });

  auto* list = domain->add_subcommand("list", "list sending domains and their DKIM keys");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto domains = store->list_domains();
    if (!domains) return fail(globals, domains.error().message);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *domains) {
      auto keys = store->list_dkim_keys(d.name);
      if (!keys) return fail(globals, keys.error().message);
      nlohmann::json jk = nlohmann::json::array();
      std::string text;
      for (const auto& k : *keys) {
        jk.push_back({{"selector", k.selector}, {"algorithm", k.algorithm}, {"state", k.state}});
        text += (text.empty() ? "" : ", ") + k.selector + ":" + k.algorithm + ":" + k.state;
      }
      out.push_back({{"domain", d.name},
                     {"account", d.account},
                     {"created_at", iso_time(d.created_at)},
                     {"keys", jk}});
      if (!globals.json)
        std::cout << d.name << "  account=" << d.account << "  keys=" << text << "\n";
    }
    if (globals.json) std::cout << out.dump(2) << "\n";
  });

  auto r = std::make_shared<std::string>();
  auto* remove = domain->add_subcommand("remove", "remove a sending domain and its DKIM keys");
  remove->add_option("domain", *r, "the domain")->required();
  remove->callback([r, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto keys = store->list_dkim_keys(*r);
    if (!keys) return fail(globals, keys.error().message);
    if (auto rm = store->remove_domain(*r); !rm) return fail(globals, rm.error().message);
    for (const auto& k : *keys) {
      std::error_code ec;
      fs::remove(k.key_file, ec);
    }
    audit_admin(*store, "domain_removed", "domain=" + *r);
    std::cout << "Domain " << *r << " removed; mail from it is refused from now on.\n";
  });

  auto dns_name = std::make_shared<std::string>();
  auto* dns = domain->add_subcommand("dns", "print the DNS records to publish");
  dns->add_option("domain", *dns_name, "the domain")->required();
  dns->add_flag("--json", globals.json, "JSON output");
  dns->callback([dns_name, &globals] {
    auto ctx = open_domain_context(globals);
    if (!ctx) return fail(globals, ctx.error().message);
    auto input = record_input(*ctx, *dns_name);
    if (!input) return fail(globals, input.error().message);
    auto records = dkim::expected_records(*input);
    if (globals.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : records) {
        out.push_back({{"name", e.name},
                       {"type", e.type},
                       {"value", e.value},
                       {"note", e.note},
                       {"zone", dkim::zone_line(e)},
                       {"required", e.required}});
      }
      std::cout << nlohmann::json{{"records", out},
                                  {"mta_sts_policy", dkim::mta_sts_policy(*input)}}
                       .dump(2)
                << "\n";
      return;
    }
    std::cout << "; DNS records for " << input->domain << " (paste into the zone)\n";
    for (const auto& e : records)
      std::cout << "\n; " << e.note << "\n" << dkim::zone_line(e) << "\n";
    std::cout << "\n; MTA-STS policy file, https://mta-sts." << input->domain
              << "/.well-known/mta-sts.txt\n; (list every MX host of the domain in mx: lines)\n";
    std::string policy = dkim::mta_sts_policy(*input);
    for (std::size_t p = 0; p < policy.size();) {
      auto e = policy.find("\r\n", p);
      std::cout << ";   " << policy.substr(p, e - p) << "\n";
      p = e + 2;
    }
  });

  struct RotateOptions {
    std::string name, selector;
    bool retire = false;
  };
  auto ro = std::make_shared<RotateOptions>();
  auto* rotate = domain->add_subcommand(
      "rotate-dkim", "new DKIM keys that sign from now on; --retire ends the previous ones");
  rotate->add_option("domain", ro->name, "the domain")->required();
  rotate->add_option("--selector", ro->selector,
                     "selector of the new keys (default: herald + date)");
  rotate->add_flag("--retire", ro->retire,
                   "retire the keys left from the last rotation (after their DNS records are gone "
                   "or no mail signed with them is in flight)");
  rotate->callback([ro, &globals] {
    auto ctx = open_domain_context(globals);
    if (!ctx) return fail(globals, ctx.error().message);
    auto name = ascii_domain(ro->name);
    if (!name) return fail(globals, name.error().message);
    auto keys = ctx->store.list_dkim_keys(*name);
    if (!keys) return fail(globals, keys.error().message);
    auto exists = ctx->store.find_domain(*name);
    if (!exists) return fail(globals, exists.error().message);
    if (!*exists) {
      return fail(globals, "no sending domain '" + *name + "'; see 'herald domain list'");
    }
    if (ro->retire) {
      std::vector<store::DkimKey> retiring;
      for (const auto& k : *keys) {
        if (k.state == "retiring") retiring.push_back(k);
      }
      if (retiring.empty()) return fail(globals, "no retiring DKIM keys for " + *name);
      auto moved = ctx->store.set_dkim_key_states(*name, "retiring", "retired");
      if (!moved) return fail(globals, moved.error().message);
      for (const auto& k : retiring) {
        std::error_code ec;
        fs::remove(k.key_file, ec);  // a retired key never signs again
      }
      audit_admin(ctx->store, "dkim_retired", "domain=" + *name + " keys=" + describe(retiring));
      std::cout << "Retired " << describe(retiring) << " of " << *name
                << "; their private keys are deleted. You may now remove these DNS records:\n";
      for (const auto& k : retiring)
        std::cout << "  " << k.selector << "._domainkey." << *name << ". TXT\n";
      return;
    }
    std::vector<dkim::Algorithm> algs;
    for (const auto& k : *keys) {
      auto alg = algorithm_from_name(k.algorithm);
      if (k.state == "active" && std::find(algs.begin(), algs.end(), alg) == algs.end()) {
        algs.push_back(alg);
      }
    }
    if (algs.empty()) algs = {dkim::Algorithm::kRsaSha256, dkim::Algorithm::kEd25519Sha256};
    std::string base =
        free_selector(*keys, ro->selector.empty() ? "herald" + date_stamp("%Y%m%d") : ro->selector);
    if (auto v = validate_selector(base); !v) return fail(globals, v.error().message);
    // Keys left retiring by an earlier rotation stay published and are
    // simply joined by the ones retiring now.
    auto moved = ctx->store.set_dkim_key_states(*name, "active", "retiring");
    if (!moved) return fail(globals, moved.error().message);
    auto made = create_keys(ctx->store, ctx->config, *name, base, algs);
    if (!made) {
      (void)ctx->store.set_dkim_key_states(*name, "retiring", "active");
      return fail(globals, made.error().message);
    }
    audit_admin(ctx->store, "dkim_rotated", "domain=" + *name + " new=" + describe(*made));
    std::cout << "New DKIM keys for " << *name << ": " << describe(*made)
              << ". They sign from now on (a running server uses them from its next message).\n"
              << "Publish the new records now; keep the old ones until 'herald domain rotate-dkim "
              << *name << " --retire':\n";
    for (const auto& k : *made) {
      std::cout << "  " << k.selector << "._domainkey." << *name << ". IN TXT "
                << dkim::zone_file_txt(k.public_txt) << "\n";
    }
  });

  add_domain_verify_command(*domain, globals);
}

}  // namespace herald::cli
