#pragma once
// Structured logging: one JSON object per line (or `key=value` text), written by spdlog to
// stdout. Callers pass an event name and typed fields; nothing else reaches the log, which is how
// message content and raw client addresses are kept out of it (see docs/design.md, Privacy).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace hw::core::log {

enum class level { trace, debug, info, warn, error, off };

struct field {
  using value_type = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;
  std::string_view key;
  value_type value;

  field(std::string_view k, std::string_view v) : key(k), value(v) {}
  field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  field(std::string_view k, bool v) : key(k), value(v) {}
  field(std::string_view k, double v) : key(k), value(v) {}
  template <typename I>
  requires std::is_integral_v<I> &&(!std::is_same_v<I, bool>)field(std::string_view k, I v)
      : key(k) {
    if constexpr (std::is_signed_v<I>) {
      value = static_cast<std::int64_t>(v);
    } else {
      value = static_cast<std::uint64_t>(v);
    }
  }
};

/// Sets level ("trace".."off") and format ("json" or "text"). Call once at start; safe to call
/// again (tests).
void init(std::string_view level_name, std::string_view format);
[[nodiscard]] bool enabled(level lvl);
void write(level lvl, std::string_view msg, std::initializer_list<field> fields);
/// Renders one line without writing it (for tests).
std::string render(level lvl, std::string_view msg, std::initializer_list<field> fields, bool json);

inline void trace(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::trace)) write(level::trace, m, f);
}
inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::debug)) write(level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::info)) write(level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::warn)) write(level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::error)) write(level::error, m, f);
}

}  // namespace hw::core::log
