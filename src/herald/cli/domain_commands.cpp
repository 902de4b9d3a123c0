// `herald domain ...`: sending domains and their DKIM keys, thin over
// admin::Admin (which generates the keys, writes them 0600 under
// data_dir/dkim/DOMAIN/ and records the change). dns prints the records
// to publish; verify looks them up (domain_verify_command.cpp).
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"
#include "herald/dkim/domain_records.hpp"
#include "herald/dkim/key_generator.hpp"

namespace herald::cli {
namespace {

std::string describe(const std::vector<store::DkimKey>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : ", ") + k.selector + " (" + k.algorithm + ")";
  }
  return out;
}

void print_records(const admin::DomainRecords& r) {
  std::cout << "; DNS records for " << r.input.domain << " (paste into the zone)\n";
  for (const auto& e : r.records) {
    std::cout << "\n; " << e.note << "\n" << dkim::zone_line(e) << "\n";
  }
  std::cout << "\n; MTA-STS policy file, https://mta-sts." << r.input.domain
            << "/.well-known/mta-sts.txt\n; (list every MX host of the domain in mx: lines)\n";
  const std::string& policy = r.mta_sts_policy;
  for (std::size_t p = 0; p < policy.size();) {
    const auto e = policy.find("\r\n", p);
    std::cout << ";   " << policy.substr(p, e - p) << "\n";
    if (e == std::string::npos) break;
    p = e + 2;
  }
}

}  // namespace

void add_domain_commands(CLI::App& app, Globals& globals) {
  auto* domain = app.add_subcommand("domain", "sending domains, DKIM keys and DNS records");
  domain->require_subcommand(1);

  auto a = std::make_shared<admin::DomainInput>();
  auto* add = domain->add_subcommand("add", "add a sending domain and generate its DKIM keys");
  add->add_option("domain", a->name, "the domain, e.g. example.com")->required();
  add->add_option("--account", a->account, "account that may send from it")->required();
  add->add_option("--selector", a->selector, "DKIM selector (default: herald + YYYYMM)");
  add->add_option("--algorithm", a->algorithms,
                  "rsa2048 or ed25519; repeatable; default: both (dual signing)");
  add->add_flag("--json", globals.json, "JSON output");
  add->callback([a, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto added = s.admin.add_domain(s.actor, *a);
    if (!added) return fail(globals, added.error().message);
    if (globals.json) return print_json(admin::to_json(*added));
    const std::string& name = added->domain.name;
    std::cout << "Domain " << name << " added for account " << a->account
              << ", DKIM keys: " << describe(added->keys) << ".\nPublish its records ('herald "
              << "domain dns " << name << "'), then check them with 'herald domain verify " << name
              << "'.\n";
  });

  auto* list = domain->add_subcommand("list", "list sending domains and their DKIM keys");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto domains = s.admin.list_domains(s.actor);
    if (!domains) return fail(globals, domains.error().message);
    if (globals.json) return print_json(admin::to_json_array(*domains));
    for (const auto& d : *domains) {
      std::string keys;
      for (const auto& k : d.keys) {
        keys += (keys.empty() ? "" : ", ") + k.selector + ":" + k.algorithm + ":" + k.state;
      }
      std::cout << d.domain.name << "  account=" << d.domain.account << "  keys=" << keys << "\n";
    }
  });

  auto r = std::make_shared<std::string>();
  auto* remove = domain->add_subcommand("remove", "remove a sending domain and its DKIM keys");
  remove->add_option("domain", *r, "the domain")->required();
  remove->callback([r, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    if (auto rm = s.admin.remove_domain(s.actor, *r); !rm) return fail(globals, rm.error().message);
    std::cout << "Domain " << *r << " removed; mail from it is refused from now on.\n";
  });

  auto dns_name = std::make_shared<std::string>();
  auto* dns = domain->add_subcommand("dns", "print the DNS records to publish");
  dns->add_option("domain", *dns_name, "the domain")->required();
  dns->add_flag("--json", globals.json, "JSON output");
  dns->callback([dns_name, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto records = s.admin.domain_records(s.actor, *dns_name);
    if (!records) return fail(globals, records.error().message);
    if (globals.json) return print_json(admin::to_json(*records));
    print_records(*records);
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
  rotate->add_flag("--json", globals.json, "JSON output");
  rotate->callback([ro, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto change = ro->retire ? s.admin.retire_dkim(s.actor, ro->name)
                             : s.admin.rotate_dkim(s.actor, ro->name, ro->selector);
    if (!change) return fail(globals, change.error().message);
    if (globals.json) return print_json(admin::to_json(*change));
    const std::string& d = change->domain;
    if (change->retired) {
      std::cout << "Retired " << describe(change->keys) << " of " << d
                << "; their private keys are deleted. You may now remove these DNS records:\n";
      for (const auto& k : change->keys) {
        std::cout << "  " << k.selector << "._domainkey." << d << ". TXT\n";
      }
      return;
    }
    std::cout << "New DKIM keys for " << d << ": " << describe(change->keys)
              << ". They sign from now on (a running server uses them from its next message).\n"
              << "Publish the new records now; keep the old ones until 'herald domain rotate-dkim "
              << d << " --retire':\n";
    for (const auto& k : change->keys) {
      std::cout << "  " << k.selector << "._domainkey." << d << ". IN TXT "
                << dkim::zone_file_txt(k.public_txt) << "\n";
    }
  });

  add_domain_verify_command(*domain, globals);
}

}  // namespace herald::cli
