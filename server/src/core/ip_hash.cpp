#include "core/ip_hash.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace hw::core {

std::string ip_hasher::hash(std::string_view ip) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(ip.data()), ip.size(), md, &len);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(16);
  for (unsigned i = 0; i < 8 && i < len; ++i) {
    out += hex[md[i] >> 4U];
    out += hex[md[i] & 0xFU];
  }
  return out;
}

}  // namespace hw::core
