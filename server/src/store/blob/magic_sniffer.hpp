#pragma once
// app::content_sniffer with libmagic: the media type of a blob from its first bytes, as
// `file --mime-type` would name it.

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "app/blobs.hpp"

namespace hw::store::blob {

/// libmagic behind app::content_sniffer. Thread-safe: each thread sniffs with its own magic_t
/// (see the .cpp for why), loaded on its first sniff from the system's default database.
class magic_sniffer final : public app::content_sniffer {
 public:
  /// How much of a blob libmagic sees: every signature we allow sits in its first bytes, and
  /// the text checks (CSV, JSON) stop there too.
  static constexpr std::size_t sniff_limit = std::size_t{1} << 20;

  /// Loads the default magic database (on this thread) to prove it is there; null and `error`
  /// set when it is not: a startup error, since no upload could be accepted without it.
  static std::unique_ptr<magic_sniffer> create(std::string& error);

  /// The type of the first sniff_limit bytes of `r`; "application/octet-stream" when libmagic
  /// fails (no database on this thread, an internal error).
  std::string sniff(app::blob_store::reader& r) override;
  /// The same over bytes in memory.
  std::string sniff_bytes(std::span<const char> bytes);

 private:
  magic_sniffer() = default;
};

}  // namespace hw::store::blob
