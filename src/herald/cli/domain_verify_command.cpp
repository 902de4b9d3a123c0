// `herald domain verify`: looks up every record `herald domain dns` prints
// (through the dns module, so [dns] static records apply) and says for each
// whether it is ok, missing or wrong, with what to do; with --message FILE
// it checks the DKIM signatures of a stored message instead.
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "herald/cli/domain_common.hpp"
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

std::string kind_name(dkim::RecordKind kind) {
  switch (kind) {
    case dkim::RecordKind::kDkim:
      return "DKIM";
    case dkim::RecordKind::kSpf:
      return "SPF";
    case dkim::RecordKind::kDmarc:
      return "DMARC";
    case dkim::RecordKind::kMtaSts:
      return "MTA-STS";
    case dkim::RecordKind::kTlsRpt:
      return "TLS-RPT";
    case dkim::RecordKind::kMx:
      return "MX";
  }
  return "?";
}

void verify_records(Globals& globals, DomainContext& ctx, const std::string& domain) {
  auto input = record_input(ctx, domain);
  if (!input) return fail(globals, input.error().message);
  auto resolver = resolver_for(ctx.config);
  if (!resolver) return fail(globals, "DNS: " + resolver.error().message);
  nlohmann::json out = nlohmann::json::array();
  int problems = 0;
  for (const auto& e : dkim::expected_records(*input)) {
    const auto type = e.type == "MX" ? dns::RecordType::MX : dns::RecordType::TXT;
    dns::Answer answer = lookup_sync(**resolver, e.name, type);
    std::vector<std::string> found;
    for (const auto& t : answer.txt) found.push_back(t);
    for (const auto& m : answer.mx)
      found.push_back(std::to_string(m.preference) + " " + m.exchange + ".");
    std::string status;
    dkim::RecordCheck check;
    if (answer.status == dns::Status::temporary_failure || answer.status == dns::Status::bogus) {
      status = "unknown";
      check.advice = "the DNS lookup failed (" + answer.reason + "); try again later";
    } else {
      check = dkim::check_record(e, found, ctx.config.hostname);
      status = std::string(dkim::status_name(check.status));
    }
    if (status != "ok" && e.required) ++problems;
    out.push_back({{"record", kind_name(e.kind)},
                   {"name", e.name},
                   {"type", e.type},
                   {"status", status},
                   {"required", e.required},
                   {"expected", e.value},
                   {"found", found},
                   {"advice", check.advice}});
    if (globals.json) continue;
    std::cout << status << std::string(9 - std::min<std::size_t>(8, status.size()), ' ')
              << kind_name(e.kind) << std::string(9 - kind_name(e.kind).size(), ' ') << e.name
              << " " << e.type << (e.required ? "" : " (optional)") << "\n";
    if (status != "ok") {
      std::cout << "         expected: " << e.value << "\n"
                << "         found:    " << (check.found.empty() ? "(nothing)" : check.found)
                << "\n"
                << "         to do:    " << check.advice << "\n";
    }
  }
  if (globals.json) {
    std::cout << nlohmann::json{{"domain", input->domain}, {"records", out}, {"problems", problems}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << (problems == 0 ? "All required records of " + input->domain + " are in place.\n"
                                : std::to_string(problems) + " record(s) of " + input->domain +
                                      " need attention.\n");
  }
  if (problems > 0) globals.exit_code = 1;
}

void verify_message(Globals& globals, DomainContext& ctx, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(globals, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto resolver = resolver_for(ctx.config);
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
    auto ctx = open_domain_context(globals);
    if (!ctx) return fail(globals, ctx.error().message);
    if (!o->message.empty()) return verify_message(globals, *ctx, o->message);
    if (o->name.empty()) return fail(globals, "name the domain to verify, or give --message FILE");
    verify_records(globals, *ctx, o->name);
  });
}

}  // namespace herald::cli
