#include "core/ip_hash.hpp"

#include "core/hmac.hpp"

namespace hw::core {

std::string ip_hasher::hash(std::string_view ip) const {
  const std::string md = hmac_sha256(key_, ip);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(16);
  for (std::size_t i = 0; i < 8 && i < md.size(); ++i) {
    const auto b = static_cast<unsigned char>(md[i]);
    out += hex[b >> 4U];
    out += hex[b & 0xFU];
  }
  return out;
}

}  // namespace hw::core
