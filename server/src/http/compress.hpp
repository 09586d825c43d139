#pragma once
// gzip via zlib. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace hw::http {

/// gzip-compresses `data` (level 6). nullopt only if zlib fails.
std::optional<std::string> gzip(std::string_view data);

/// Whether an Accept-Encoding header value accepts `coding` ("gzip", "br") with q > 0.
bool accepts_encoding(std::string_view accept_encoding, std::string_view coding);

}  // namespace hw::http
