#pragma once
// Prometheus metrics: counters and gauges registered by name + labels, rendered in the text
// exposition format (version 0.0.4). Updating a metric is one relaxed atomic add; looking one up
// by labels takes a mutex, so hot paths keep the reference they got once.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hw::core {

class counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class gauge {
 public:
  void add(std::int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { v_.store(n, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

/// Label pairs in a fixed order, e.g. {{"route","static"},{"status","200"}}.
using labels = std::vector<std::pair<std::string, std::string>>;

class registry {
 public:
  /// Returns the counter for name+labels, creating it (and its family) on first use. The
  /// reference stays valid for the registry's lifetime.
  counter& get_counter(std::string_view name, std::string_view help, const labels& l = {});
  gauge& get_gauge(std::string_view name, std::string_view help, const labels& l = {});
  /// A gauge computed when scraped (process RSS, queue lengths owned elsewhere).
  void add_computed_gauge(std::string_view name, std::string_view help, std::function<double()> fn);
  /// The whole exposition text.
  [[nodiscard]] std::string render() const;

 private:
  struct family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<gauge>> gauges;
    std::function<double()> computed;
  };
  family& get_family(std::string_view name, std::string_view help, std::string_view type);

  mutable std::mutex mutex_;
  std::map<std::string, family, std::less<>> families_;
};

/// Renders labels as `{a="x",b="y"}` with values escaped; "" for none.
std::string render_labels(const labels& l);

/// Resident set size of this process in bytes (from /proc/self/statm), 0 if unknown.
std::uint64_t process_rss_bytes();

}  // namespace hw::core
