// admin::Admin — sending domains and their DKIM keys: add (generating the
// key pairs), list, get, remove, the DNS records to publish, their check
// against DNS, and key rotation. Private keys are written 0600 with O_EXCL
// and synced before the store row that names them; they never leave the
// data directory and never appear in a result.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <future>

#include "herald/admin/admin.hpp"
#include "herald/dkim/key_generator.hpp"
#include "herald/dns/idna.hpp"

namespace herald::admin {
namespace {

namespace fs = std::filesystem;

base::Error no_such_domain(std::string_view name) {
  return base::make_error(base::ErrorKind::not_found,
                          fmt::format("no sending domain '{}'; add it with 'herald domain add {} "
                                      "--account NAME'",
                                      name, name));
}

base::Result<void> write_private_key(const fs::path& path, const std::string& pem) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return base::make_error("cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  ::chmod(path.parent_path().c_str(), 0700);
  ::chmod(path.parent_path().parent_path().c_str(), 0700);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return base::make_error("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  const bool ok =
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
      return base::make_error(base::ErrorKind::invalid,
                              "algorithm '" + n + "': choose rsa2048 or ed25519");
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  // Both by default: receivers that know Ed25519 (RFC 8463) check the
  // short key, the others the RSA one.
  if (out.empty()) out = {dkim::Algorithm::kRsaSha256, dkim::Algorithm::kEd25519Sha256};
  return out;
}

base::Result<void> validate_selector(std::string_view selector) {
  bool ok = !selector.empty() && selector.size() <= 63 && selector.front() != '-' &&
            selector.back() != '-';
  for (char c : selector) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
  if (!ok) {
    return base::make_error(base::ErrorKind::invalid,
                            "selector '" + std::string(selector) +
                                "' must be 1-63 letters, digits or '-' (a DNS label)");
  }
  return {};
}

std::string date_stamp(const char* format) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string describe(const std::vector<store::DkimKey>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : ", ") + k.selector + " (" + k.algorithm + ")";
  }
  return out;
}

// A selector base not used yet by the domain: BASE, BASE-2, BASE-3...
std::string free_selector(const std::vector<store::DkimKey>& existing, const std::string& base) {
  auto taken = [&](const std::string& s) {
    return std::any_of(existing.begin(), existing.end(), [&](const store::DkimKey& k) {
      return k.selector == s || k.selector == s + "-rsa" || k.selector == s + "-ed";
    });
  };
  std::string candidate = base;
  for (int n = 2; taken(candidate); ++n) candidate = base + "-" + std::to_string(n);
  return candidate;
}

// Generates one key per algorithm, writes the files and records them.
// Selectors: BASE alone for one algorithm, BASE-rsa and BASE-ed for two.
// On failure nothing made so far is left behind.
base::Result<std::vector<store::DkimKey>> create_keys(store::AdminStore& store,
                                                      const config::Config& config,
                                                      const std::string& domain,
                                                      const std::string& base,
                                                      const std::vector<dkim::Algorithm>& algs) {
  std::vector<store::DkimKey> made;
  auto undo = [&] {
    for (const auto& k : made) {
      std::error_code ec;
      fs::remove(k.key_file, ec);
    }
  };
  for (auto a : algs) {
    std::string selector = base;
    if (algs.size() > 1) selector += a == dkim::Algorithm::kRsaSha256 ? "-rsa" : "-ed";
    auto pair = dkim::generate_key_pair(a);
    if (!pair) {
      undo();
      return pair.error();
    }
    const fs::path file = fs::path(config.data_dir) / "dkim" / domain / (selector + ".pem");
    if (auto w = write_private_key(file, pair->private_key_pem); !w) {
      undo();
      return w.error();
    }
    store::DkimKey key{domain, selector, std::string(dkim::algorithm_name(a)), file.string(),
                       pair->dns_txt};
    if (auto r = store.add_dkim_key(key); !r) {
      std::error_code ec;
      fs::remove(file, ec);
      undo();
      return r.error();
    }
    made.push_back(std::move(key));
  }
  return made;
}

dkim::Algorithm algorithm_from_name(std::string_view name) {
  return name == "ed25519-sha256" ? dkim::Algorithm::kEd25519Sha256 : dkim::Algorithm::kRsaSha256;
}

// Waits for one answer; the resolver's own timeout bounds the wait (the
// admin layer runs on worker or CLI threads, never on an I/O thread).
std::future<dns::Answer> start_lookup(dns::Resolver& resolver, const std::string& name,
                                      dns::RecordType type) {
  auto promise = std::make_shared<std::promise<dns::Answer>>();
  auto future = promise->get_future();
  resolver.lookup(name, type, [promise](dns::Answer a) { promise->set_value(std::move(a)); });
  return future;
}

}  // namespace

Result<std::string> ascii_domain(std::string_view domain) {
  auto ascii = dns::to_ascii(domain);
  if (!ascii) {
    return base::make_error(
        base::ErrorKind::invalid,
        "'" + std::string(domain) + "' is not a valid domain name: " + ascii.error().message);
  }
  auto normalized = store::normalize_domain(*ascii);
  if (!normalized) {
    return base::make_error(base::ErrorKind::invalid, normalized.error().message);
  }
  return normalized;
}

Result<DomainView> Admin::domain_for(const Actor& actor, std::string_view name, bool change) {
  auto ascii = ascii_domain(name);
  if (!ascii) return ascii.error();
  auto found = store_.find_domain(*ascii);
  if (!found) return found.error();
  auto t = tree();
  if (!t) return t.error();
  if (!*found || !actor.may_read(*t, (*found)->account)) return no_such_domain(*ascii);
  if (change) {
    if (auto ok = check_write(actor, *t, (*found)->account); !ok) return ok.error();
  }
  auto keys = store_.list_dkim_keys(*ascii);
  if (!keys) return keys.error();
  return DomainView{std::move(**found), std::move(*keys)};
}

Result<std::vector<DomainView>> Admin::list_domains(const Actor& actor) {
  auto domains = store_.list_domains();
  if (!domains) return domains.error();
  auto t = tree();
  if (!t) return t.error();
  std::vector<DomainView> out;
  for (auto& d : *domains) {
    if (!actor.may_read(*t, d.account)) continue;
    auto keys = store_.list_dkim_keys(d.name);
    if (!keys) return keys.error();
    out.push_back({std::move(d), std::move(*keys)});
  }
  return out;
}

Result<DomainView> Admin::get_domain(const Actor& actor, std::string_view name) {
  return domain_for(actor, name, false);
}

Result<DomainView> Admin::add_domain(const Actor& actor, const DomainInput& input) {
  if (auto ok = check_create_for(actor, input.account); !ok) return ok.error();
  auto name = ascii_domain(input.name);
  if (!name) return name.error();
  auto algs = parse_algorithms(input.algorithms);
  if (!algs) return algs.error();
  const std::string base = input.selector.empty() ? "herald" + date_stamp("%Y%m") : input.selector;
  if (auto v = validate_selector(base); !v) return v.error();
  auto added = store_.add_domain(*name, input.account);
  if (!added) return added.error();
  auto keys = create_keys(store_, config_, added->name, base, *algs);
  if (!keys) {
    (void)store_.remove_domain(added->name);
    return keys.error();
  }
  audit(actor, "domain_added",
        "domain=" + added->name + " account=" + input.account + " keys=" + describe(*keys));
  return DomainView{std::move(*added), std::move(*keys)};
}

Result<void> Admin::remove_domain(const Actor& actor, std::string_view name) {
  auto domain = domain_for(actor, name, true);
  if (!domain) return domain.error();
  if (auto rm = store_.remove_domain(domain->domain.name); !rm) return rm.error();
  for (const auto& k : domain->keys) {
    std::error_code ec;
    fs::remove(k.key_file, ec);
  }
  audit(actor, "domain_removed", "domain=" + domain->domain.name);
  return {};
}

Result<DomainRecords> Admin::domain_records(const Actor& actor, std::string_view name) {
  auto domain = domain_for(actor, name, false);
  if (!domain) return domain.error();
  DomainRecords out;
  out.input = {domain->domain.name, config_.hostname, {}};
  for (const auto& k : domain->keys) out.input.keys.push_back({k.selector, k.public_txt, k.state});
  out.records = dkim::expected_records(out.input);
  out.mta_sts_policy = dkim::mta_sts_policy(out.input);
  return out;
}

Result<DomainCheck> Admin::verify_domain(const Actor& actor, std::string_view name) {
  auto records = domain_records(actor, name);
  if (!records) return records.error();
  if (!resolver_) {
    return base::make_error(base::ErrorKind::unavailable,
                            "no DNS resolver is configured for domain checks here");
  }
  // Every lookup in flight at once: the check takes as long as the
  // slowest answer, not their sum.
  std::vector<std::future<dns::Answer>> answers;
  for (const auto& e : records->records) {
    answers.push_back(start_lookup(*resolver_, e.name,
                                   e.type == "MX" ? dns::RecordType::MX : dns::RecordType::TXT));
  }
  DomainCheck check;
  check.domain = records->input.domain;
  for (std::size_t i = 0; i < records->records.size(); ++i) {
    const dns::Answer answer = answers[i].get();
    RecordVerdict v;
    v.expected = records->records[i];
    for (const auto& t : answer.txt) v.found.push_back(t);
    for (const auto& m : answer.mx) {
      v.found.push_back(std::to_string(m.preference) + " " + m.exchange + ".");
    }
    if (answer.status == dns::Status::temporary_failure || answer.status == dns::Status::bogus) {
      v.status = "unknown";
      v.advice = "the DNS lookup failed (" + answer.reason + "); try again later";
    } else {
      const dkim::RecordCheck judged = dkim::check_record(v.expected, v.found, config_.hostname);
      v.status = std::string(dkim::status_name(judged.status));
      v.found_text = judged.found;
      v.advice = judged.advice;
    }
    if (v.status != "ok" && v.expected.required) ++check.problems;
    check.records.push_back(std::move(v));
  }
  return check;
}

Result<DkimChange> Admin::rotate_dkim(const Actor& actor, std::string_view name,
                                      std::string_view selector) {
  auto domain = domain_for(actor, name, true);
  if (!domain) return domain.error();
  const std::string& d = domain->domain.name;
  std::vector<dkim::Algorithm> algs;
  for (const auto& k : domain->keys) {
    const auto alg = algorithm_from_name(k.algorithm);
    if (k.state == "active" && std::find(algs.begin(), algs.end(), alg) == algs.end()) {
      algs.push_back(alg);
    }
  }
  if (algs.empty()) algs = {dkim::Algorithm::kRsaSha256, dkim::Algorithm::kEd25519Sha256};
  const std::string base = free_selector(
      domain->keys, selector.empty() ? "herald" + date_stamp("%Y%m%d") : std::string(selector));
  if (auto v = validate_selector(base); !v) return v.error();
  // Keys left retiring by an earlier rotation stay published and are
  // simply joined by the ones retiring now.
  if (auto moved = store_.set_dkim_key_states(d, "active", "retiring"); !moved) {
    return moved.error();
  }
  auto made = create_keys(store_, config_, d, base, algs);
  if (!made) {
    (void)store_.set_dkim_key_states(d, "retiring", "active");
    return made.error();
  }
  audit(actor, "dkim_rotated", "domain=" + d + " new=" + describe(*made));
  return DkimChange{d, std::move(*made), false};
}

Result<DkimChange> Admin::retire_dkim(const Actor& actor, std::string_view name) {
  auto domain = domain_for(actor, name, true);
  if (!domain) return domain.error();
  const std::string& d = domain->domain.name;
  std::vector<store::DkimKey> retiring;
  for (const auto& k : domain->keys) {
    if (k.state == "retiring") retiring.push_back(k);
  }
  if (retiring.empty()) {
    return base::make_error(base::ErrorKind::conflict,
                            "no retiring DKIM keys for " + d + "; rotate first");
  }
  if (auto moved = store_.set_dkim_key_states(d, "retiring", "retired"); !moved) {
    return moved.error();
  }
  for (auto& k : retiring) {
    std::error_code ec;
    fs::remove(k.key_file, ec);  // a retired key never signs again
    k.state = "retired";
  }
  audit(actor, "dkim_retired", "domain=" + d + " keys=" + describe(retiring));
  return DkimChange{d, std::move(retiring), true};
}

}  // namespace herald::admin
