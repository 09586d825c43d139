#define ZLIB_CONST
#include "http/compress.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstddef>

#include "core/text.hpp"
#include "http/message.hpp"

namespace hw::http {

namespace {

// Ends the deflate stream on every path, including a bad_alloc while growing the output.
struct deflate_guard {
  z_stream* zs;
  explicit deflate_guard(z_stream* s) : zs(s) {}
  deflate_guard(const deflate_guard&) = delete;
  deflate_guard& operator=(const deflate_guard&) = delete;
  ~deflate_guard() { deflateEnd(zs); }
};

// RFC 9110 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]. Only "is it above zero" matters; an
// unparsable value counts as zero, so a garbled header never enables an encoding.
bool positive_qvalue(std::string_view q) {
  q = core::trim(q);
  if (q.empty()) return false;
  if (q.front() == '1') return true;
  if (q.front() != '0') return false;
  return q.find_first_of("123456789") != std::string_view::npos;
}

}  // namespace

std::optional<std::string> gzip(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper instead of raw zlib.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  const deflate_guard guard(&zs);
  std::string out;
  out.resize(static_cast<std::size_t>(deflateBound(&zs, static_cast<uLong>(data.size()))));
  std::size_t produced = 0;
  std::size_t consumed = 0;
  // avail_in/avail_out are 32-bit: feed and drain in chunks so any size works.
  for (;;) {
    if (zs.avail_in == 0 && consumed < data.size()) {
      const std::size_t chunk = std::min<std::size_t>(data.size() - consumed, UINT_MAX);
      zs.next_in = reinterpret_cast<const Bytef*>(data.data() + consumed);
      zs.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    if (produced == out.size()) out.resize(out.size() * 2 + 64);
    const std::size_t room = std::min<std::size_t>(out.size() - produced, UINT_MAX);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&zs, consumed == data.size() ? Z_FINISH : Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return std::nullopt;
  }
  out.resize(produced);
  return out;
}

bool accepts_encoding(std::string_view accept_encoding, std::string_view coding) {
  bool star_seen = false;
  bool star_ok = false;
  while (!accept_encoding.empty()) {
    const std::size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const std::size_t semi = item.find(';');
    const std::string_view name = core::trim(item.substr(0, semi));
    bool ok = true;  // no q parameter means q=1
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      while (!params.empty()) {
        const std::size_t next = params.find(';');
        const std::string_view param = core::trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
          ok = positive_qvalue(param.substr(2));
        }
      }
    }
    // x-gzip is an alias of gzip (RFC 9110 §8.4.1.3).
    const bool match =
        iequals(name, coding) || (iequals(coding, "gzip") && iequals(name, "x-gzip"));
    if (match) return ok;  // an explicit entry beats "*"
    if (name == "*" && !star_seen) {
      star_seen = true;
      star_ok = ok;
    }
  }
  return star_seen && star_ok;
}

}  // namespace hw::http
