#pragma once
// The option table, internal to config/: one row per setting — flag name, the default as --help
// shows it (formatted from config/defaults.hpp, never written a second time), help text and the
// setter that validates and stores a value. config.cpp parses flags and the environment and
// prints --help from it.

#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "config/config.hpp"

namespace hw::config::table {

/// Stores a value; returns an error text (without the setting name), or empty on success.
using setter = std::function<std::string(config&, std::string_view)>;

struct option {
  std::string_view name;  ///< flag name without "--"
  std::string def;        ///< default, as shown in --help ("" = none)
  std::string_view help;
  setter set;
};

/// The whole of `s` as an unsigned decimal T; nullopt when empty, not a number or out of range.
template <typename T>
std::optional<T> parse_uint(std::string_view s) {
  T v{};
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || p != end || s.empty()) return std::nullopt;
  return v;
}

/// Every setting, in --help order.
const std::vector<option>& options();

/// "25s", "2m", "2h", "500ms": the largest unit that gives a whole number (a minute stays
/// "60s"); parse_duration reads it back.
std::string show_duration(millis d);
/// "8KiB", "1MiB", "1000000": the largest binary unit that divides it; parse_size reads it back.
std::string show_size(std::size_t bytes);

}  // namespace hw::config::table
