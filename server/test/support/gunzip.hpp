#pragma once
// Test helper: inflates a gzip stream, so tests can check what the server compressed.

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace hw::test {

/// The inflated bytes of one gzip stream (windowBits 15 + 16 accepts only the gzip wrapper), or
/// nullopt when `data` is not a complete, valid gzip stream.
inline std::optional<std::string> gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  std::string buf(std::size_t{64} * 1024, '\0');
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): zlib's API is not const-correct
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace hw::test
