#include "store/blob/magic_sniffer.hpp"

#include <magic.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace hw::store::blob {

namespace {

constexpr const char* unknown_type = "application/octet-stream";

// One magic_t per thread, not one behind a mutex: a magic_t is not thread-safe, and one sniff
// of a 1 MiB text body (encoding, CSV and JSON checks) takes milliseconds, so a shared handle
// would serialise every upload's check. Sniffs run on the small, fixed pool of blocking
// workers, so the cost (one loaded database per worker, freed when the thread ends) is bounded.
// The handle depends on nothing but the default database and MAGIC_MIME_TYPE, so every
// magic_sniffer may share its thread's.
class thread_handle {
 public:
  thread_handle() = default;
  thread_handle(const thread_handle&) = delete;
  thread_handle& operator=(const thread_handle&) = delete;
  ~thread_handle() {
    if (m_ != nullptr) magic_close(m_);
  }

  // The loaded handle, or null with `error` set. A failed load is retried on the next call.
  magic_t get(std::string& error) {
    if (m_ != nullptr) return m_;
    magic_t m = magic_open(MAGIC_MIME_TYPE);
    if (m == nullptr) {
      error = "libmagic: magic_open failed";
      return nullptr;
    }
    if (magic_load(m, nullptr) != 0) {
      const char* why = magic_error(m);
      error = std::string("libmagic: cannot load the magic database: ") +
              (why != nullptr ? why : "unknown error");
      magic_close(m);
      return nullptr;
    }
    m_ = m;
    return m_;
  }

 private:
  magic_t m_ = nullptr;
};

magic_t this_thread_handle(std::string& error) {
  thread_local thread_handle handle;
  return handle.get(error);
}

}  // namespace

std::unique_ptr<magic_sniffer> magic_sniffer::create(std::string& error) {
  if (this_thread_handle(error) == nullptr) return nullptr;
  return std::unique_ptr<magic_sniffer>(new magic_sniffer());
}

std::string magic_sniffer::sniff_bytes(std::span<const char> bytes) {
  std::string error;
  magic_t m = this_thread_handle(error);
  if (m == nullptr) return unknown_type;
  static const char empty = 0;  // libmagic wants a buffer even for no bytes
  const void* data = bytes.empty() ? &empty : bytes.data();
  const char* type = magic_buffer(m, data, std::min(bytes.size(), sniff_limit));
  return type != nullptr ? std::string(type) : std::string(unknown_type);
}

std::string magic_sniffer::sniff(app::blob_store::reader& r) {
  std::vector<char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(r.size(), sniff_limit)));
  std::size_t got = 0;
  while (got < buf.size()) {
    const std::size_t n = r.read(got, std::span<char>(buf).subspan(got));
    if (n == 0) break;
    got += n;
  }
  return sniff_bytes(std::span<const char>(buf.data(), got));
}

}  // namespace hw::store::blob
