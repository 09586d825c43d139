#include "core/metrics.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>

#include <fmt/format.h>

namespace hw::core {

std::string render_labels(const labels& l) {
  if (l.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : l) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\')
        out += "\\\\";
      else if (c == '"')
        out += "\\\"";
      else if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

registry::family& registry::get_family(std::string_view name, std::string_view help,
                                       std::string_view type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), family{}).first;
    it->second.help = std::string(help);
    it->second.type = std::string(type);
  }
  return it->second;
}

counter& registry::get_counter(std::string_view name, std::string_view help, const labels& l) {
  std::lock_guard lock(mutex_);
  auto& f = get_family(name, help, "counter");
  auto& slot = f.counters[render_labels(l)];
  if (!slot) slot = std::make_unique<counter>();
  return *slot;
}

gauge& registry::get_gauge(std::string_view name, std::string_view help, const labels& l) {
  std::lock_guard lock(mutex_);
  auto& f = get_family(name, help, "gauge");
  auto& slot = f.gauges[render_labels(l)];
  if (!slot) slot = std::make_unique<gauge>();
  return *slot;
}

void registry::add_computed_gauge(std::string_view name, std::string_view help,
                                  std::function<double()> fn) {
  std::lock_guard lock(mutex_);
  get_family(name, help, "gauge").computed = std::move(fn);
}

std::string registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out.reserve(4096);
  auto it = std::back_inserter(out);
  for (const auto& [name, f] : families_) {
    fmt::format_to(it, "# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    for (const auto& [l, c] : f.counters)
      fmt::format_to(it, "{}{} {}\n", name, l, c->value());
    for (const auto& [l, g] : f.gauges)
      fmt::format_to(it, "{}{} {}\n", name, l, g->value());
    if (f.computed) {
      const double v = f.computed();
      if (std::isnan(v)) {
        fmt::format_to(it, "{} NaN\n", name);
      } else {
        fmt::format_to(it, "{} {}\n", name, v);
      }
    }
  }
  return out;
}

std::uint64_t process_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages_total = 0;
  std::uint64_t pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace hw::core
