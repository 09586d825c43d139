#pragma once
// Reports: the fixed list of reasons a guest may give when it reports its partner, as on the
// wire (`user:report {reason}`). The note a report may carry is validated (validate.hpp) and then
// dropped: it is never stored or logged.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hw::app {

enum class report_reason : std::uint8_t { spam, harassment, sexual, underage, violence, other };

/// Every reason's wire name, indexed by the enum's value.
inline constexpr std::array<std::string_view, 6> report_reason_names = {
    "spam", "harassment", "sexual", "underage", "violence", "other"};

inline constexpr std::size_t report_note_max_default = 500;

/// The wire name → the reason; anything else (other case included) → nullopt.
inline std::optional<report_reason> parse_report_reason(std::string_view s) {
  for (std::size_t i = 0; i < report_reason_names.size(); ++i) {
    if (report_reason_names[i] == s) return static_cast<report_reason>(i);
  }
  return std::nullopt;
}

/// The reasons as a sentence names them: "spam, harassment, ..., violence or other".
inline std::string report_reasons_text() {
  std::string text;
  for (std::size_t i = 0; i < report_reason_names.size(); ++i) {
    if (i > 0) text += i + 1 == report_reason_names.size() ? " or " : ", ";
    text += report_reason_names[i];
  }
  return text;
}

inline std::string_view to_string(report_reason r) {
  return report_reason_names.at(static_cast<std::size_t>(r));
}

}  // namespace hw::app
