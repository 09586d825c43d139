// libFuzzer target: the WebSocket frame parser. The first input byte chooses where the stream
// is split into two reads (as TCP may deliver it); the rest is the byte stream. Properties
// checked: no crash or sanitizer report; every message respects the size limit; every text
// message is valid UTF-8; a stream fed whole and fed in two pieces gives the same events.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "protocol/websocket.hpp"

namespace ws = hw::protocol::ws;

namespace {

constexpr std::size_t max_message = 4096;

struct outcome {
  std::vector<std::string> events;
  std::uint16_t error = 0;
};

outcome run(const std::string& bytes, std::size_t split) {
  ws::frame_parser p(max_message);
  outcome out;
  std::string buf;
  for (const auto& chunk : {bytes.substr(0, split), bytes.substr(split)}) {
    buf += chunk;
    std::size_t off = 0;
    for (;;) {
      ws::event ev;
      const auto used = p.parse(buf.data() + off, buf.size() - off, ev);
      off += used;
      if (ev.kind == ws::event::error) {
        out.error = ev.code;
        return out;
      }
      if (ev.kind == ws::event::need_more) {
        if (used == 0) break;
        continue;
      }
      if (ev.kind == ws::event::message) {
        if (ev.payload.size() > max_message) std::abort();
        if (!ev.binary && !ws::valid_utf8(ev.payload)) std::abort();
      }
      out.events.push_back(std::to_string(static_cast<int>(ev.kind)) + ":" +
                           std::string(ev.payload));
    }
    buf.erase(0, off);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t split = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  const auto whole = run(bytes, bytes.size());
  const auto pieces = run(bytes, split);
  if (whole.events != pieces.events || whole.error != pieces.error) std::abort();
  return 0;
}
