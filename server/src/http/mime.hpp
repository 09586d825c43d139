#pragma once
// File extension → Content-Type. Pure.

#include <string_view>

namespace hw::http {

/// Content-Type for a file name, by its extension (case-insensitive); text types carry
/// "; charset=utf-8". Unknown extensions give "application/octet-stream".
std::string_view mime_type(std::string_view filename);

/// Whether on-the-fly gzip is worth it for this content type (text, JSON, JS, SVG, wasm...).
bool is_compressible(std::string_view content_type);

}  // namespace hw::http
