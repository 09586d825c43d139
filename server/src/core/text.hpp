#pragma once
// Small string helpers shared by the parsers of configuration values and HTTP header fields.

#include <string_view>

namespace hw::core {

/// `s` without leading and trailing ASCII white space (space, tab, CR, LF, VT, FF). HTTP's
/// optional white space (space, tab) is a subset, and header values never hold CR/LF.
constexpr std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

}  // namespace hw::core
