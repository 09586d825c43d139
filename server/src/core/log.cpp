#include "core/log.hpp"

#include <atomic>
#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json_escape.hpp"

namespace hw::core::log {

namespace {
std::atomic<int> g_level{static_cast<int>(level::info)};
std::atomic<bool> g_json{true};

spdlog::level::level_enum to_spdlog(level l) {
  switch (l) {
    case level::trace:
      return spdlog::level::trace;
    case level::debug:
      return spdlog::level::debug;
    case level::info:
      return spdlog::level::info;
    case level::warn:
      return spdlog::level::warn;
    case level::error:
      return spdlog::level::err;
    case level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string_view name_of(level l) {
  switch (l) {
    case level::trace:
      return "trace";
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
    case level::off:
      return "off";
  }
  return "info";
}

level parse_level(std::string_view s) {
  for (level l : {level::trace, level::debug, level::info, level::warn, level::error, level::off}) {
    if (name_of(l) == s) return l;
  }
  return level::info;
}

void append_value(std::string& out, const field::value_type& v, bool json) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (json) {
            out += '"';
            json_escape_append(out, x);
            out += '"';
          } else {
            const bool quote = x.empty() || x.find_first_of(" \"=") != std::string_view::npos;
            if (quote) out += '"';
            json_escape_append(out, x);
            if (quote) out += '"';
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(x)) {
            fmt::format_to(std::back_inserter(out), "{:.3f}", x);
          } else {
            out += "null";
          }
        } else {
          fmt::format_to(std::back_inserter(out), "{}", x);
        }
      },
      v);
}

std::shared_ptr<spdlog::logger> make_logger() {
  auto logger = spdlog::stdout_logger_mt("hallway");
  logger->flush_on(spdlog::level::trace);  // one line per write: tests and log shippers read lines
  return logger;
}

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> l = make_logger();
  return *l;
}
}  // namespace

void init(std::string_view level_name, std::string_view format) {
  const level l = parse_level(level_name);
  g_level = static_cast<int>(l);
  g_json = format != "text";
  auto& lg = logger();
  lg.set_level(to_spdlog(l));
  // %v is the rendered fields; the prefix carries time and level.
  if (g_json) {
    lg.set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ",%v)", spdlog::pattern_time_type::utc);
  } else {
    lg.set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
  }
}

bool enabled(level lvl) {
  return static_cast<int>(lvl) >= g_level.load(std::memory_order_relaxed);
}

std::string render(level lvl, std::string_view msg, std::initializer_list<field> fields,
                   bool json) {
  std::string out;
  out.reserve(96);
  if (json) {
    out += R"("level":")";
    out += name_of(lvl);
    out += R"(","msg":")";
    json_escape_append(out, msg);
    out += '"';
    for (const auto& f : fields) {
      out += ",\"";
      json_escape_append(out, f.key);
      out += "\":";
      append_value(out, f.value, true);
    }
    out += '}';
  } else {
    fmt::format_to(std::back_inserter(out), "{:<5} ", name_of(lvl));
    json_escape_append(out, msg);
    for (const auto& f : fields) {
      out += ' ';
      out += f.key;
      out += '=';
      append_value(out, f.value, false);
    }
  }
  return out;
}

void write(level lvl, std::string_view msg, std::initializer_list<field> fields) {
  if (!enabled(lvl)) return;
  const std::string line = render(lvl, msg, fields, g_json.load(std::memory_order_relaxed));
  logger().log(to_spdlog(lvl), "{}", line);
}

}  // namespace hw::core::log
