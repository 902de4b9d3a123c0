// `herald init`, `herald serve`, `herald check-config`.
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "herald/base/log.hpp"
#include "herald/cli/commands.hpp"
#include "herald/delivery/destination.hpp"
#include "herald/delivery/scheduler.hpp"
#include "herald/dns/resolver_factory.hpp"
#include "herald/events/webhook_sender.hpp"
#include "herald/metrics/herald_metrics.hpp"
#include "herald/metrics/registry.hpp"
#include "herald/net/self_signed.hpp"
#include "herald/net/tls_context.hpp"
#include "herald/submission/server.hpp"
#include "herald/web/admin_server.hpp"

namespace herald::cli {
namespace fs = std::filesystem;

void add_init_command(CLI::App& app, Globals& globals) {
  struct Options {
    std::string dir = ".";
    std::string hostname;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "init", "write a starter config, a data dir and a self-signed certificate");
  cmd->add_option("--dir", options->dir, "where to put herald.toml, data/ and tls/ (default: .)");
  cmd->add_option("--hostname", options->hostname, "the server's name (default: this host's name)");
  cmd->callback([options, &globals] {
    std::string hostname = options->hostname;
    if (hostname.empty()) {
      char buf[256] = {};
      gethostname(buf, sizeof buf - 1);
      hostname = buf[0] ? buf : "localhost";
    }
    std::error_code ec;
    fs::create_directories(options->dir, ec);
    fs::path dir = fs::absolute(options->dir, ec).lexically_normal();
    fs::path config_path = dir / "herald.toml";
    if (fs::exists(config_path)) {
      return fail(globals,
                  config_path.string() + " exists already; remove it or pick another --dir");
    }
    fs::create_directories(dir / "data", ec);
    fs::permissions(dir / "data", fs::perms::owner_all, ec);
    fs::create_directories(dir / "tls", ec);
    if (ec)
      return fail(globals, "cannot create directories under " + dir.string() + ": " + ec.message());
    auto cert = (dir / "tls" / "cert.pem").string();
    auto key = (dir / "tls" / "key.pem").string();
    auto written = net::write_self_signed(hostname, cert, key);
    if (!written) return fail(globals, written.error().message);
    std::ofstream out(config_path);
    out << config::starter_config(hostname, (dir / "data").string(), cert, key);
    out.close();
    if (!out) return fail(globals, "cannot write " + config_path.string());
    std::cout << "Wrote " << config_path.string() << ", " << (dir / "data").string()
              << "/ and a self-signed certificate for " << hostname << " in "
              << (dir / "tls").string() << "/.\nNext:\n"
              << "  herald --config " << config_path.string() << " account add main\n"
              << "  herald --config " << config_path.string() << " user add you@" << hostname
              << " --account main\n"
              << "  herald --config " << config_path.string() << " serve\n";
  });
}

namespace {

// What runs beside the SMTP listeners: outbound delivery (unless [delivery]
// hold) and the admin HTTPS listener (when [admin] address is set).
class BackgroundServices final : public submission::Service {
 public:
  std::unique_ptr<dns::Resolver> resolver;  // domain checks through the API; outlives admin
  std::unique_ptr<delivery::Scheduler> scheduler;
  std::unique_ptr<events::WebhookSender> webhooks;
  std::unique_ptr<web::AdminServer> admin;

  void stop() override {
    // The admin API first: it must not act on a store being closed.
    if (admin) admin->stop();
    if (scheduler) scheduler->stop();
    if (webhooks) webhooks->stop();
  }
  void reload() override {
    if (admin) admin->reload_tls();
  }
};

}  // namespace

void add_serve_commands(CLI::App& app, Globals& globals) {
  auto log_format = std::make_shared<std::string>("human");
  auto* serve = app.add_subcommand("serve", "run the server in the foreground");
  serve->add_option("--log-format", *log_format, "human or json")
      ->check(CLI::IsMember({"human", "json"}));
  serve->callback([log_format, &globals] {
    base::log_init(*log_format == "json" ? base::LogFormat::json : base::LogFormat::human);
    auto config = load(globals);
    if (!config) return fail(globals, config.error().message);
    if (auto files = config::check_files(*config); !files)
      return fail(globals, files.error().message);
    // One registry for the whole process; labels are bounded (listener
    // addresses from the config, fixed enums), never an account or address.
    metrics::Registry registry;
    std::vector<std::string> listener_names;
    for (const auto& l : config->listeners) listener_names.push_back(l.address);
    metrics::HeraldMetrics herald_metrics(registry, listener_names);
    // Read at each scrape, so a renewed certificate shows at once.
    std::vector<std::pair<std::string, std::string>> certificates;  // (use, path)
    if (!config->tls.certificate.empty())
      certificates.emplace_back("smtp", config->tls.certificate);
    if (!config->admin.certificate.empty()) {
      certificates.emplace_back("admin", config->admin.certificate);
    }
    for (const auto& [use, path] : certificates) {
      registry.gauge_callback("herald_tls_certificate_not_after_seconds",
                              "When the configured TLS certificate expires (Unix seconds)",
                              {{"use", use}}, [path] {
                                auto t = net::certificate_not_after(path);
                                return t ? static_cast<double>(*t) : -1.0;
                              });
    }
    if (config->delivery.hold) {
      base::log_warn("delivery_held", {{"reason", "[delivery] hold = true: mail stays queued"}});
    }
    submission::ServiceFactory services = [&config, &registry, &herald_metrics](
                                              spool::Spool& spool, store::Store& store,
                                              events::ActivityRecorder& activity)
        -> base::Result<std::unique_ptr<submission::Service>> {
      auto background = std::make_unique<BackgroundServices>();
      if (!config->delivery.hold) {
        auto scheduler = delivery::Scheduler::create(*config, spool, store);
        if (!scheduler) return scheduler.error();
        (*scheduler)->set_metrics(&herald_metrics);
        (*scheduler)->set_activity(&activity);
        (*scheduler)->start();
        background->scheduler = std::move(*scheduler);
      }
      events::WebhookSenderOptions webhook_options;
      webhook_options.allow_private = config->webhooks.allow_private;
      webhook_options.ca_file = config->webhooks.ca_file;
      webhook_options.data_dir = config->data_dir;
      webhook_options.first_retry = config->webhooks.min_retry;
      webhook_options.on_post = [&herald_metrics](bool delivered) {
        herald_metrics
            .webhook_deliveries(delivered ? metrics::WebhookResult::ok
                                          : metrics::WebhookResult::failed)
            .inc();
      };
      background->webhooks = std::make_unique<events::WebhookSender>(store, webhook_options);
      background->webhooks->start();
      if (!config->admin.address.empty()) {
        // Values read at scrape time rather than kept up to date.
        auto before_scrape = [&config, &herald_metrics] {
          struct statvfs s {};
          if (::statvfs(config->data_dir.c_str(), &s) == 0) {
            herald_metrics.spool_free_bytes().set(static_cast<double>(s.f_bavail) *
                                                  static_cast<double>(s.f_frsize));
          }
        };
        auto resolver = dns::make_resolver(delivery::resolver_settings(*config));
        if (!resolver) {
          background->stop();
          return base::make_error("DNS: " + resolver.error().message);
        }
        background->resolver = std::move(*resolver);
        auto admin = web::AdminServer::start(*config, store, &registry, before_scrape,
                                             background->resolver.get());
        if (!admin) {
          background->stop();
          return admin.error();
        }
        background->admin = std::move(*admin);
      }
      return std::unique_ptr<submission::Service>(std::move(background));
    };
    auto served = submission::serve(*config, services, &herald_metrics);
    if (!served) {
      base::log_error("startup_failed", {{"error", served.error().message}});
      return fail(globals, served.error().message);
    }
  });

  auto* check = app.add_subcommand("check-config", "validate the config and exit");
  check->callback([&globals] {
    auto config = load(globals);
    if (!config) return fail(globals, config.error().message);
    if (auto files = config::check_files(*config); !files)
      return fail(globals, files.error().message);
    if (auto ok = submission::check_supported(*config); !ok)
      return fail(globals, ok.error().message);
    std::cout << config->path << ": ok (" << config->listeners.size() << " listener"
              << (config->listeners.size() == 1 ? "" : "s") << ")\n";
  });
}

}  // namespace herald::cli
