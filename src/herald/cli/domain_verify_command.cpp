// `herald domain verify`: looks up every record `herald domain dns` prints
// (through the dns module, so [dns] static records apply) and says for each
// whether it is ok, missing or wrong, with what to do; with --message FILE
// it checks the DKIM signatures of a stored message instead.
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"
#include "herald/delivery/destination.hpp"
#include "herald/dkim/verifier.hpp"
#include "herald/dns/resolver_factory.hpp"

namespace herald::cli {
namespace {

base::Result<std::unique_ptr<dns::Resolver>> resolver_for(const config::Config& config) {
  return dns::make_resolver(delivery::resolver_settings(config));
}

// The CLI has nothing else to do while it waits; the resolver's own
// timeout bounds the wait.
dns::Answer lookup_sync(dns::Resolver& resolver, const std::string& name, dns::RecordType type) {
  auto promise = std::make_shared<std::promise<dns::Answer>>();
  auto future = promise->get_future();
  resolver.lookup(name, type, [promise](dns::Answer a) { promise->set_value(std::move(a)); });
  return future.get();
}

void verify_records(Globals& globals, const std::string& domain) {
  auto session = open_admin(globals);
  if (!session) return fail(globals, session.error().message);
  auto& s = **session;
  auto resolver = resolver_for(s.config);
  if (!resolver) return fail(globals, "DNS: " + resolver.error().message);
  s.admin.set_resolver(resolver->get());
  auto check = s.admin.verify_domain(s.actor, domain);
  if (!check) return fail(globals, check.error().message);
  if (globals.json) {
    print_json(admin::to_json(*check));
  } else {
    for (const auto& v : check->records) {
      const std::string kind = admin::record_kind_name(v.expected.kind);
      std::cout << v.status << std::string(9 - std::min<std::size_t>(8, v.status.size()), ' ')
                << kind << std::string(9 - kind.size(), ' ') << v.expected.name << " "
                << v.expected.type << (v.expected.required ? "" : " (optional)") << "\n";
      if (v.status == "ok") continue;
      std::cout << "         expected: " << v.expected.value << "\n"
                << "         found:    " << (v.found_text.empty() ? "(nothing)" : v.found_text)
                << "\n"
                << "         to do:    " << v.advice << "\n";
    }
    std::cout << (check->problems == 0
                      ? "All required records of " + check->domain + " are in place.\n"
                      : std::to_string(check->problems) + " record(s) of " + check->domain +
                            " need attention.\n");
  }
  if (check->problems > 0) globals.exit_code = 1;
}

void verify_message(Globals& globals, const std::string& path) {
  auto config = load(globals);
  if (!config) return fail(globals, config.error().message);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(globals, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto resolver = resolver_for(*config);
  if (!resolver) return fail(globals, "DNS: " + resolver.error().message);
  dns::Resolver& r = **resolver;
  auto results = dkim::verify_message(
      text.str(),
      [&r](std::string_view selector, std::string_view domain) -> std::optional<std::string> {
        auto answer = lookup_sync(r, std::string(selector) + "._domainkey." + std::string(domain),
                                  dns::RecordType::TXT);
        if (!answer.ok() || answer.txt.empty()) return std::nullopt;
        return answer.txt.front();
      });
  nlohmann::json out = nlohmann::json::array();
  bool all_pass = !results.empty();
  for (const auto& s : results) {
    all_pass = all_pass && s.status == dkim::VerifyStatus::kPass;
    out.push_back({{"domain", s.domain},
                   {"selector", s.selector},
                   {"algorithm", s.algorithm},
                   {"result", std::string(dkim::status_name(s.status))},
                   {"reason", s.reason}});
    if (!globals.json) {
      std::cout << dkim::status_name(s.status) << "  d=" << s.domain << " s=" << s.selector
                << " a=" << s.algorithm << "  " << s.reason << "\n";
    }
  }
  if (globals.json) std::cout << nlohmann::json{{"signatures", out}}.dump(2) << "\n";
  if (results.empty() && !globals.json) std::cout << "The message has no DKIM-Signature.\n";
  if (!all_pass) globals.exit_code = 1;
}

}  // namespace

void add_domain_verify_command(CLI::App& domain, Globals& globals) {
  struct Options {
    std::string name, message;
  };
  auto o = std::make_shared<Options>();
  auto* verify = domain.add_subcommand(
      "verify", "look the domain's records up and say which are right, missing or wrong");
  verify->add_option("domain", o->name, "the domain");
  verify->add_option("--message", o->message,
                     "instead: verify the DKIM signatures of this message file");
  verify->add_flag("--json", globals.json, "JSON output");
  verify->callback([o, &globals] {
    if (!o->message.empty()) return verify_message(globals, o->message);
    if (o->name.empty()) return fail(globals, "name the domain to verify, or give --message FILE");
    verify_records(globals, o->name);
  });
}

}  // namespace herald::cli
