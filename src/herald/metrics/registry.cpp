#include "herald/metrics/registry.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "herald/metrics/exposition.hpp"

namespace herald::metrics {
namespace {

constexpr std::array<std::string_view, 3> kHistogramSuffixes = {"_bucket", "_sum", "_count"};

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

void check_name_and_help(std::string_view name, std::string_view help) {
  if (!valid_metric_name(name)) {
    throw std::invalid_argument(
        fmt::format("metric name \"{}\" is not valid: use [a-zA-Z_:][a-zA-Z0-9_:]*", name));
  }
  // An empty help makes promtool's linter complain, and says nothing to the
  // person reading the scrape.
  if (help.empty() || !valid_utf8(help)) {
    throw std::invalid_argument(fmt::format("metric {}: help text must be non-empty UTF-8", name));
  }
}

// Sorted by label name, so {a,b} and {b,a} name the same series.
Labels checked_labels(std::string_view metric, const Labels& labels, MetricType type) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& [key, value] = sorted[i];
    if (!valid_label_name(key)) {
      throw std::invalid_argument(
          fmt::format("metric {}: label name \"{}\" is not valid: use [a-zA-Z_][a-zA-Z0-9_]*, not "
                      "starting with __",
                      metric, key));
    }
    // "le" is how a histogram names its buckets.
    if (type == MetricType::histogram && key == "le") {
      throw std::invalid_argument(
          fmt::format("metric {}: a histogram cannot have a label named le", metric));
    }
    if (i > 0 && sorted[i - 1].first == key) {
      throw std::invalid_argument(fmt::format("metric {}: label {} given twice", metric, key));
    }
    if (!valid_utf8(value)) {
      throw std::invalid_argument(
          fmt::format("metric {}: the value of label {} is not UTF-8", metric, key));
    }
  }
  return sorted;
}

std::string label_text(const Labels& sorted) {
  std::string out;
  for (const auto& [key, value] : sorted) {
    if (!out.empty()) out += ',';
    out += key;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  return out;
}

std::vector<double> checked_bounds(std::string_view metric, std::vector<double> bounds) {
  // The +Inf bucket is always there; accept it spelled out too.
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) {
    bounds.pop_back();
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) {
      throw std::invalid_argument(fmt::format(
          "histogram {}: bucket bounds must be finite and strictly increasing", metric));
    }
  }
  return bounds;
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, std::string_view extra, std::string_view value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty()) out += ',';
    out += extra;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) total += bucket(i);
  return total;
}

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::family(std::string_view name, std::string_view help, MetricType type,
                                   const std::vector<double>* bounds) {
  if (auto it = families_.find(name); it != families_.end()) {
    Family& f = it->second;
    if (f.type != type) {
      throw std::logic_error(fmt::format("metric {} is already registered as a {}, not a {}", name,
                                         type_name(f.type), type_name(type)));
    }
    if (f.help != help) {
      throw std::logic_error(
          fmt::format("metric {} is already registered with another help text", name));
    }
    if (bounds != nullptr && f.bounds != *bounds) {
      throw std::logic_error(
          fmt::format("histogram {} is already registered with other bucket bounds", name));
    }
    return f;
  }
  // A histogram's samples are named name_bucket, name_sum and name_count:
  // no other family may take those names, or a scrape would mix them.
  for (std::string_view suffix : kHistogramSuffixes) {
    if (type == MetricType::histogram && families_.contains(fmt::format("{}{}", name, suffix))) {
      throw std::logic_error(
          fmt::format("histogram {} would collide with metric {}{}", name, name, suffix));
    }
    if (name.ends_with(suffix)) {
      auto base = families_.find(name.substr(0, name.size() - suffix.size()));
      if (base != families_.end() && base->second.type == MetricType::histogram) {
        throw std::logic_error(
            fmt::format("metric {} collides with the samples of histogram {}", name, base->first));
      }
    }
  }
  Family f{type, std::string(help), {}, {}, {}};
  if (bounds != nullptr) {
    f.bounds = *bounds;
    for (double b : f.bounds) f.le_text.push_back(fmt::format("le=\"{}\"", format_value(b)));
  }
  return families_.emplace(std::string(name), std::move(f)).first->second;
}

Registry::Series Registry::make_series(Labels sorted) {
  Series s;
  s.label_text = label_text(sorted);
  s.labels = std::move(sorted);
  return s;
}

Registry::Series* Registry::find(Family& f, const Labels& sorted) {
  for (Series& s : f.series) {
    if (s.labels == sorted) return &s;
  }
  return nullptr;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels,
                           Visibility visibility) {
  check_name_and_help(name, help);
  Labels sorted = checked_labels(name, labels, MetricType::counter);
  std::lock_guard lock(mu_);
  Family& f = family(name, help, MetricType::counter, nullptr);
  if (Series* s = find(f, sorted)) return *s->counter;
  Counter& c = counters_.emplace_back();
  Series s = make_series(std::move(sorted));
  s.visibility = visibility;
  s.counter = &c;
  f.series.push_back(std::move(s));
  return c;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  check_name_and_help(name, help);
  Labels sorted = checked_labels(name, labels, MetricType::gauge);
  std::lock_guard lock(mu_);
  Family& f = family(name, help, MetricType::gauge, nullptr);
  if (Series* s = find(f, sorted)) {
    if (s->gauge == nullptr) {
      throw std::logic_error(
          fmt::format("gauge {}{{{}}} is already registered as a callback", name, s->label_text));
    }
    return *s->gauge;
  }
  Gauge& g = gauges_.emplace_back();
  Series s = make_series(std::move(sorted));
  s.gauge = &g;
  f.series.push_back(std::move(s));
  return g;
}

void Registry::gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                              std::function<double()> sample) {
  check_name_and_help(name, help);
  Labels sorted = checked_labels(name, labels, MetricType::gauge);
  if (!sample) throw std::invalid_argument(fmt::format("gauge {}: empty callback", name));
  std::lock_guard lock(mu_);
  Family& f = family(name, help, MetricType::gauge, nullptr);
  // Two sources for one series would leave the scrape ambiguous.
  if (Series* s = find(f, sorted)) {
    throw std::logic_error(
        fmt::format("gauge {}{{{}}} is already registered", name, s->label_text));
  }
  Series s = make_series(std::move(sorted));
  s.sample = std::move(sample);
  f.series.push_back(std::move(s));
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               std::vector<double> bounds, const Labels& labels) {
  check_name_and_help(name, help);
  Labels sorted = checked_labels(name, labels, MetricType::histogram);
  bounds = checked_bounds(name, std::move(bounds));
  std::lock_guard lock(mu_);
  Family& f = family(name, help, MetricType::histogram, &bounds);
  if (Series* s = find(f, sorted)) return *s->histogram;
  Histogram& h = histograms_.emplace_back(std::move(bounds));
  Series s = make_series(std::move(sorted));
  s.histogram = &h;
  f.series.push_back(std::move(s));
  return h;
}

void Registry::render_series(std::string& out, const std::string& name, const Family& f,
                             const Series& s) {
  switch (f.type) {
    case MetricType::counter: {
      const std::uint64_t v = s.counter->value();
      if (v == 0 && s.visibility == Visibility::once_nonzero) return;
      append_sample(out, name, "", s.label_text, "", format_count(v));
      return;
    }
    case MetricType::gauge: {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (s.gauge != nullptr) {
        v = s.gauge->value();
      } else {
        // A failing source shows as NaN rather than failing the whole scrape.
        try {
          v = s.sample();
        } catch (...) {
        }
      }
      append_sample(out, name, "", s.label_text, "", format_value(v));
      return;
    }
    case MetricType::histogram: {
      const Histogram& h = *s.histogram;
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < f.bounds.size(); ++i) {
        cumulative += h.bucket(i);
        append_sample(out, name, "_bucket", s.label_text, f.le_text[i], format_count(cumulative));
      }
      cumulative += h.bucket(f.bounds.size());
      append_sample(out, name, "_bucket", s.label_text, "le=\"+Inf\"", format_count(cumulative));
      append_sample(out, name, "_sum", s.label_text, "", format_value(h.sum()));
      // _count from the same bucket reads, so it always equals le="+Inf".
      append_sample(out, name, "_count", s.label_text, "", format_count(cumulative));
      return;
    }
  }
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(families_.size() * 256);
  for (const auto& [name, f] : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name,
                   escape_help(f.help), name, type_name(f.type));
    for (const Series& s : f.series) render_series(out, name, f, s);
  }
  return out;
}

}  // namespace herald::metrics
