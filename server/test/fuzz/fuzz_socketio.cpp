// Socket.IO codec fuzzer. Property, checked with abort(): a packet that decodes re-encodes to a
// string that decodes to the same packet, and encoding that packet again gives the same string.
// The first byte picks small limits now and then, to reach the depth and attachment checks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "protocol/socketio.hpp"

namespace sio = hw::protocol::sio;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const sio::packet& a, const sio::packet& b) {
  return a.type == b.type && a.nsp == b.nsp && a.id == b.id && a.has_data == b.has_data &&
         a.data == b.data && a.attachments == b.attachments;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  sio::decode_limits lim;
  if (!in.empty() && in.front() == '~') {  // not a packet type: a limits selector
    in.remove_prefix(1);
    lim.max_depth = 3;
    lim.max_attachments = 2;
  }

  sio::packet p;
  if (sio::decode(in, p, lim) != sio::decode_error::none) return 0;
  check(!p.nsp.empty() && p.nsp.front() == '/' && p.nsp.find(',') == std::string::npos);
  check(p.attachments <= lim.max_attachments);
  if (p.has_data) (void)sio::placeholders_valid(p.data, p.attachments);

  std::string wire;
  sio::encode(wire, p);
  sio::packet q;
  check(sio::decode(wire, q, lim) == sio::decode_error::none);
  check(same(p, q));
  std::string again;
  sio::encode(again, q);
  check(again == wire);
  return 0;
}
