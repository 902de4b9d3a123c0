// base::log — one line per event, human-readable or JSON lines.
// Callers pass an event name and key/value fields; secrets must never be
// passed as fields (the session code logs identities, never credentials).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace herald::base {

enum class LogFormat { human, json };
enum class LogLevel { debug, info, warn, error };

using LogField = std::pair<std::string_view, std::string>;

// Sets the output format (stderr). Safe to call once at start-up.
void log_init(LogFormat format, LogLevel min_level = LogLevel::info);

void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

inline void log_info(std::string_view event, std::initializer_list<LogField> fields = {}) {
  log_event(LogLevel::info, event, fields);
}
inline void log_warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
  log_event(LogLevel::warn, event, fields);
}
inline void log_error(std::string_view event, std::initializer_list<LogField> fields = {}) {
  log_event(LogLevel::error, event, fields);
}

}  // namespace herald::base
