// `herald init`, `herald serve`, `herald check-config`.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "herald/base/log.hpp"
#include "herald/cli/commands.hpp"
#include "herald/delivery/scheduler.hpp"
#include "herald/net/self_signed.hpp"
#include "herald/submission/server.hpp"

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

// The scheduler as the submission server's background service.
class DeliveryService final : public submission::Service {
 public:
  explicit DeliveryService(std::unique_ptr<delivery::Scheduler> s) : scheduler_(std::move(s)) {}
  void stop() override { scheduler_->stop(); }

 private:
  std::unique_ptr<delivery::Scheduler> scheduler_;
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
    // Outbound delivery runs beside the listeners unless [delivery] hold.
    submission::ServiceFactory delivery;
    if (!config->delivery.hold) {
      delivery = [&config](
                     spool::Spool& spool,
                     store::Store& store) -> base::Result<std::unique_ptr<submission::Service>> {
        auto scheduler = delivery::Scheduler::create(*config, spool, store);
        if (!scheduler) return scheduler.error();
        (*scheduler)->start();
        return std::unique_ptr<submission::Service>(new DeliveryService(std::move(*scheduler)));
      };
    } else {
      base::log_warn("delivery_held", {{"reason", "[delivery] hold = true: mail stays queued"}});
    }
    auto served = submission::serve(*config, delivery);
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
