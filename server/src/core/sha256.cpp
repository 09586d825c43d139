#include "core/sha256.hpp"

#include <openssl/sha.h>

#include <array>
#include <cstdint>

namespace hw::core {

std::string sha256(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data());
  return {reinterpret_cast<const char*>(md.data()), md.size()};
}

std::string base64_encode(std::string_view data) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&data](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(data[k]));
  };
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    for (const unsigned shift : {18U, 12U, 6U, 0U})
      out += alphabet[(v >> shift) & 0x3FU];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = byte(i) << 16U;
    if (rest == 2) v |= byte(i + 1) << 8U;
    out += alphabet[(v >> 18U) & 0x3FU];
    out += alphabet[(v >> 12U) & 0x3FU];
    out += rest == 2 ? alphabet[(v >> 6U) & 0x3FU] : '=';
    out += '=';
  }
  return out;
}

}  // namespace hw::core
