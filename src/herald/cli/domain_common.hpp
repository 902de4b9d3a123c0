// cli::domain_common — what the `herald domain` commands share: the config
// and store opened together, domain and selector checks, and the record
// input (`domain dns` prints it, `domain verify` checks it against DNS).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"
#include "herald/cli/commands.hpp"
#include "herald/config/config.hpp"
#include "herald/dkim/domain_records.hpp"
#include "herald/store/store.hpp"

namespace herald::cli {

struct DomainContext {
  config::Config config;
  store::Store store;
};

base::Result<DomainContext> open_domain_context(Globals& globals);

// A domain as stored: IDN U-labels converted to A-labels, lower case, no
// trailing dot.
base::Result<std::string> ascii_domain(std::string_view domain);

// DKIM selectors are DNS labels: letters, digits, '-' (1-63 characters).
base::Result<void> validate_selector(std::string_view selector);

// The domain's records as `herald domain dns` prints them.
base::Result<dkim::DomainRecordInput> record_input(DomainContext& ctx, std::string_view domain);

// `herald domain verify` (domain_verify_command.cpp).
void add_domain_verify_command(CLI::App& domain, Globals& globals);

}  // namespace herald::cli
