// metrics::exposition — the text rules of Prometheus' exposition format 0.0.4:
// which names are legal, how numbers are spelled, how help and label values
// are escaped. Pure functions over strings; they know nothing of registries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::metrics {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);

// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved by Prometheus).
bool valid_label_name(std::string_view name);

// Well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF): Prometheus refuses a scrape whose help or label values are not.
bool valid_utf8(std::string_view text);

// Shortest text that parses back to the same double; "+Inf", "-Inf", "NaN"
// spelled as Prometheus' parser (Go's strconv.ParseFloat) expects.
std::string format_value(double value);

// Counters are integers; rendering them as doubles would lose digits above 2^53.
std::string format_count(std::uint64_t value);

// "# HELP" text: backslash and line feed escaped.
std::string escape_help(std::string_view help);

// Label values: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);

}  // namespace herald::metrics
