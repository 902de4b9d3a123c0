// dns::mx_plan — ordering MX hosts and resolving them to addresses.
#include "herald/dns/mx_plan.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace herald::dns {

namespace {

MxPlan failed(PlanOutcome outcome, std::string reason, bool secure) {
  MxPlan plan;
  plan.outcome = outcome;
  plan.reason = std::move(reason);
  plan.secure = secure;
  return plan;
}

// The worse of two address answers when neither gave an address: a
// temporary failure may still turn into an address, nxdomain/nodata won't.
Status worse(Status a, Status b) {
  auto rank = [](Status s) {
    switch (s) {
      case Status::bogus:
        return 4;
      case Status::temporary_failure:
        return 3;
      case Status::nxdomain:
        return 2;
      case Status::nodata:
        return 1;
      case Status::ok:
        return 0;
    }
    return 3;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

std::string_view to_string(PlanOutcome outcome) {
  switch (outcome) {
    case PlanOutcome::ok:
      return "ok";
    case PlanOutcome::permanent_failure:
      return "permanent failure";
    case PlanOutcome::temporary_failure:
      return "temporary failure";
  }
  return "?";
}

MxPlan plan_mx(std::string_view domain, const Answer& mx_answer, std::mt19937_64& rng) {
  const std::string name = normalize_name(domain);
  switch (mx_answer.status) {
    case Status::nxdomain:
      return failed(PlanOutcome::permanent_failure, "domain " + name + " does not exist",
                    mx_answer.secure);
    case Status::temporary_failure:
    case Status::bogus:
      return failed(
          PlanOutcome::temporary_failure,
          mx_answer.reason.empty() ? "MX lookup of " + name + " failed" : mx_answer.reason,
          mx_answer.secure);
    case Status::nodata: {
      // RFC 5321 §5.1: no MX records means the domain itself, at preference 0.
      MxPlan plan;
      plan.outcome = PlanOutcome::ok;
      plan.implicit = true;
      plan.secure = mx_answer.secure;
      plan.hosts.push_back({name, 0});
      return plan;
    }
    case Status::ok:
      break;
  }
  // RFC 7505 §3: a lone MX for "." says the domain accepts no mail. A null
  // MX mixed with real ones is a misconfiguration; the real ones still work.
  if (mx_answer.mx.size() == 1 && mx_answer.mx.front().is_null()) {
    return failed(PlanOutcome::permanent_failure,
                  "domain " + name + " accepts no mail (null MX, RFC 7505)", mx_answer.secure);
  }
  MxPlan plan;
  plan.secure = mx_answer.secure;
  for (const Mx& mx : mx_answer.mx) {
    if (!mx.is_null() && !mx.exchange.empty()) plan.hosts.push_back({mx.exchange, mx.preference});
  }
  std::stable_sort(plan.hosts.begin(), plan.hosts.end(),
                   [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
  for (auto group = plan.hosts.begin(); group != plan.hosts.end();) {
    auto end = std::find_if(group, plan.hosts.end(),
                            [&](const MxHost& h) { return h.preference != group->preference; });
    std::shuffle(group, end, rng);
    group = end;
  }
  // A name listed twice keeps its best preference (it sorts first).
  std::unordered_set<std::string> seen;
  std::erase_if(plan.hosts, [&](const MxHost& h) { return !seen.insert(h.name).second; });
  if (plan.hosts.empty()) {
    return failed(PlanOutcome::temporary_failure, "MX answer for " + name + " has no usable host",
                  mx_answer.secure);
  }
  plan.outcome = PlanOutcome::ok;
  return plan;
}

MxPlan plan_mx(std::string_view domain, const Answer& mx_answer) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return plan_mx(domain, mx_answer, rng);
}

asio::awaitable<MxResolution> resolve_mx_targets(Resolver& resolver, std::string_view domain_view,
                                                 std::size_t max_hosts) {
  const std::string domain = normalize_name(domain_view);
  MxResolution resolution;
  const Answer mx_answer = co_await lookup(resolver, domain, RecordType::MX);
  MxPlan plan = plan_mx(domain, mx_answer);
  resolution.implicit = plan.implicit;
  resolution.mx_secure = plan.secure;
  if (plan.outcome != PlanOutcome::ok) {
    resolution.outcome = plan.outcome;
    resolution.reason = std::move(plan.reason);
    co_return resolution;
  }
  if (plan.hosts.size() > max_hosts) plan.hosts.resize(max_hosts);

  std::vector<Query> queries;
  for (const MxHost& host : plan.hosts) {
    queries.push_back({host.name, RecordType::A});
    queries.push_back({host.name, RecordType::AAAA});
  }
  const std::vector<Answer> answers = co_await lookup_all(resolver, std::move(queries));

  bool any_address = false;
  bool any_temporary = false;
  for (std::size_t i = 0; i < plan.hosts.size(); ++i) {
    const Answer& a = answers[2 * i];
    const Answer& aaaa = answers[2 * i + 1];
    MxTarget target;
    target.host = plan.hosts[i].name;
    target.preference = plan.hosts[i].preference;
    target.addresses = a.addresses;
    target.addresses.insert(target.addresses.end(), aaaa.addresses.begin(), aaaa.addresses.end());
    target.secure = a.secure && aaaa.secure;
    if (!target.addresses.empty()) {
      target.status = Status::ok;
      any_address = true;
    } else {
      target.status = worse(a.status, aaaa.status);
      target.reason =
          (target.status == aaaa.status && !aaaa.reason.empty()) ? aaaa.reason : a.reason;
      if (target.reason.empty()) target.reason = "no address for " + target.host;
      any_temporary = any_temporary || target.status == Status::temporary_failure ||
                      target.status == Status::bogus;
    }
    resolution.targets.push_back(std::move(target));
  }
  if (any_address) {
    resolution.outcome = PlanOutcome::ok;
  } else if (any_temporary) {
    resolution.outcome = PlanOutcome::temporary_failure;
    auto first =
        std::find_if(resolution.targets.begin(), resolution.targets.end(), [](const MxTarget& t) {
          return t.status == Status::temporary_failure || t.status == Status::bogus;
        });
    resolution.reason = "no MX host of " + domain + " could be resolved now: " + first->reason;
  } else {
    resolution.outcome = PlanOutcome::permanent_failure;
    resolution.reason = plan.implicit ? "domain " + domain + " has no MX and no address record"
                                      : "no MX host of " + domain + " has an address";
  }
  co_return resolution;
}

}  // namespace herald::dns
