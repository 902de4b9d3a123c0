#include "herald/base/log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace herald::base {
namespace {

LogFormat g_format = LogFormat::human;
LogLevel g_min = LogLevel::info;
std::mutex g_mutex;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

// Values in human lines are quoted when they hold spaces or quotes, and
// control characters are escaped, so a client-chosen EHLO name cannot forge
// a log line.
void append_human_value(std::string& out, std::string_view s) {
  bool quote = s.empty() || s.find_first_of(" \"=") != std::string_view::npos;
  if (quote) out.push_back('"');
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (quote) out.push_back('"');
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                     static_cast<int>(ms.count()));
}

}  // namespace

void log_init(LogFormat format, LogLevel min_level) {
  g_format = format;
  g_min = min_level;
}

void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < static_cast<int>(g_min)) return;
  std::string line;
  line.reserve(160);
  if (g_format == LogFormat::json) {
    line += "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + level_name(level) + "\",\"event\":";
    append_json_string(line, event);
    for (const auto& [key, value] : fields) {
      line.push_back(',');
      append_json_string(line, key);
      line.push_back(':');
      append_json_string(line, value);
    }
    line += "}\n";
  } else {
    line += timestamp();
    line.push_back(' ');
    line += level_name(level);
    line.push_back(' ');
    line += event;
    for (const auto& [key, value] : fields) {
      line.push_back(' ');
      line += key;
      line.push_back('=');
      append_human_value(line, value);
    }
    line.push_back('\n');
  }
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace herald::base
