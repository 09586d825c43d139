// Engine.IO codec fuzzer. Properties, checked with abort():
//  - a text frame that decodes re-encodes to exactly the same bytes;
//  - a polling payload that decodes re-encodes to a payload decoding to the same packets;
//  - base64 decoding is strict, so what decodes re-encodes to exactly the input, and encoding
//    any bytes decodes back to them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/engineio.hpp"

namespace eio = hw::protocol::eio;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const std::vector<eio::packet>& a, const std::vector<eio::packet>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].binary != b[i].binary || a[i].data != b[i].data) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  eio::packet_view v;
  if (eio::decode_text(in, v) == eio::decode_error::none) {
    check(v.data.data() == in.data() + 1 && !v.binary);
    std::string again;
    eio::encode_text(again, v.type, v.data);
    check(again == in);
  }

  std::vector<eio::packet> packets;
  if (eio::decode_payload(in, packets, 64) == eio::decode_error::none) {
    check(!packets.empty() && packets.size() <= 64);
    std::string body;
    for (const auto& p : packets)
      eio::encode_payload_append(body, p.type, p.data, p.binary);
    std::vector<eio::packet> again;
    check(eio::decode_payload(body, again, 64) == eio::decode_error::none);
    check(same(packets, again));
  }

  std::string bytes;
  if (eio::base64_decode(in, bytes)) {
    std::string enc;
    eio::base64_encode_append(enc, bytes);
    check(enc == in);
  }
  std::string enc;
  eio::base64_encode_append(enc, in);
  check(eio::base64_decode(enc, bytes) && bytes == in);
  return 0;
}
