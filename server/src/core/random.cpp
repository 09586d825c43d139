#include "core/random.hpp"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

namespace hw::core {

namespace {
void fill(unsigned char* p, std::size_t n) {
  // No entropy is a broken machine, not bad input: ids must never be guessable.
  if (RAND_bytes(p, static_cast<int>(n)) != 1) std::abort();
}
}  // namespace

std::string random_token(std::size_t n) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<unsigned char> bytes(n);
  fill(bytes.data(), n);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    out[i] = alphabet[bytes[i] & 63U];
  return out;
}

std::uint64_t random_u64() {
  std::uint64_t v = 0;
  fill(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

}  // namespace hw::core
