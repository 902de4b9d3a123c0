// metrics::Registry — counters, gauges and histograms, and their Prometheus
// text exposition (format 0.0.4). Registration validates and locks (startup
// only); the hot path (inc, set, observe) never locks, allocates or formats.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { counter, gauge, histogram };

// Whether a series appears in the exposition before it has counted anything.
// once_nonzero suits families with many possible label values of which few
// occur (SMTP reply codes): the scrape stays small, the label set bounded.
enum class Visibility { always, once_nonzero };

// Each metric sits on its own cache line (alignas(64)): counters bumped by
// different I/O threads must not invalidate each other's lines.
class alignas(64) Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class alignas(64) Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  // C++20 atomic<double>::fetch_add: a compare-exchange loop, lock-free.
  void add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  static_assert(std::atomic<double>::is_always_lock_free);
  std::atomic<double> value_{0.0};
};

// Bucket i counts observations v with bounds[i-1] < v <= bounds[i]; the last
// bucket (index bounds().size()) counts those above every bound (+Inf).
// The total count is not kept separately: it is the sum of the buckets, so
// a scrape racing with observe() still shows le="+Inf" equal to _count, and
// observe() costs one atomic op fewer.
// The sum is an atomic<double> rather than integer nanoseconds: a fixed-point
// uint64 of ns overflows after ~213,000 day-long observations (the
// submit-to-delivered histogram could reach that), microseconds would blur
// the sub-millisecond fsync timings, and the bounds are not always seconds.
// Its compare-exchange loop only retries when two threads observe the same
// histogram at the same instant, which at one observation per message or
// batch is rare.
class alignas(64) Histogram {
 public:
  // Bounds strictly increasing and finite; Registry::histogram checks them.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double v) noexcept {
    // NaN fits no bucket and would turn the sum into NaN for good.
    if (std::isnan(v)) return;
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);  // first bound >= v
    buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1,
                                                                       std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
  }

  template <class Rep, class Period>
  void observe(std::chrono::duration<Rep, Period> d) noexcept {
    observe(std::chrono::duration<double>(d).count());
  }

  const std::vector<double>& bounds() const noexcept { return bounds_; }
  // Non-cumulative count of bucket i, 0 <= i <= bounds().size().
  std::uint64_t bucket(std::size_t i) const noexcept {
    return buckets_[i].load(std::memory_order_relaxed);
  }
  std::uint64_t count() const noexcept;
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// Owns every metric; references it returns stay valid for its life (metrics
// live in deques, which never move their elements). Registering the same
// name and labels again returns the same metric, so modules may register
// what they use without coordinating. Errors at registration are
// programming errors and throw: std::invalid_argument for a name, label or
// bound Prometheus would refuse, std::logic_error for a name reused with
// another type, help text or bucket layout.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {},
                   Visibility visibility = Visibility::always);
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // Bounds in base units (seconds), strictly increasing; a trailing +Inf may
  // be given or left out.
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                       const Labels& labels = {});
  // A gauge read at render time, under the registry's lock: the callback
  // must be cheap, thread-safe and must not call back into this registry.
  // If it throws, the sample renders as NaN.
  void gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                      std::function<double()> sample);

  // All families sorted by name, each with one # HELP and one # TYPE line
  // and its samples contiguous, in registration order.
  std::string render() const;

 private:
  struct Series {
    Labels labels;           // sorted by name
    std::string label_text;  // `a="x",b="y"`, escaped once at registration
    Visibility visibility = Visibility::always;
    Counter* counter = nullptr;
    Gauge* gauge = nullptr;
    Histogram* histogram = nullptr;
    std::function<double()> sample;
  };
  struct Family {
    MetricType type;
    std::string help;
    std::vector<double> bounds;        // histograms only
    std::vector<std::string> le_text;  // bounds formatted once
    std::vector<Series> series;
  };

  Family& family(std::string_view name, std::string_view help, MetricType type,
                 const std::vector<double>* bounds);
  static Series make_series(Labels sorted);
  static Series* find(Family& f, const Labels& sorted);
  static void render_series(std::string& out, const std::string& name, const Family& f,
                            const Series& s);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<Histogram> histograms_;
};

}  // namespace herald::metrics
