#pragma once
// Minimal JSON string escaping for hand-built JSON (logs, error bodies) on paths where building a
// JSON DOM would be wasteful. Invalid UTF-8 bytes are replaced with U+FFFD so output stays valid.

#include <string>
#include <string_view>

namespace hw::core {

/// Appends `s` escaped for use inside a JSON string literal (without quotes).
void json_escape_append(std::string& out, std::string_view s);

}  // namespace hw::core
