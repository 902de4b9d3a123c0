#include "herald/cli/domain_common.hpp"

#include <cctype>

#include "herald/dns/idna.hpp"

namespace herald::cli {

base::Result<DomainContext> open_domain_context(Globals& globals) {
  auto config = load(globals);
  if (!config) return config.error();
  auto store = store::Store::open(config->store.sqlite_path);
  if (!store) return store.error();
  return DomainContext{std::move(*config), std::move(*store)};
}

base::Result<std::string> ascii_domain(std::string_view domain) {
  auto ascii = dns::to_ascii(domain);
  if (!ascii) {
    return base::make_error("'" + std::string(domain) +
                            "' is not a valid domain name: " + ascii.error().message);
  }
  return store::normalize_domain(*ascii);
}

base::Result<void> validate_selector(std::string_view selector) {
  bool ok = !selector.empty() && selector.size() <= 63 && selector.front() != '-' &&
            selector.back() != '-';
  for (char c : selector) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
  if (!ok) {
    return base::make_error("selector '" + std::string(selector) +
                            "' must be 1-63 letters, digits or '-' (a DNS label)");
  }
  return {};
}

base::Result<dkim::DomainRecordInput> record_input(DomainContext& ctx, std::string_view domain) {
  auto name = ascii_domain(domain);
  if (!name) return name.error();
  auto found = ctx.store.find_domain(*name);
  if (!found) return found.error();
  if (!*found) {
    return base::make_error("no sending domain '" + *name + "'; add it with 'herald domain add " +
                            *name + " --account NAME'");
  }
  auto keys = ctx.store.list_dkim_keys(*name);
  if (!keys) return keys.error();
  dkim::DomainRecordInput input{*name, ctx.config.hostname, {}};
  for (const auto& k : *keys) input.keys.push_back({k.selector, k.public_txt, k.state});
  return input;
}

}  // namespace herald::cli
