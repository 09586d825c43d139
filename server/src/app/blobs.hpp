#pragma once
// Ports for shared files: where their bytes live (blob_store) and what their bytes are
// (content_sniffer). Implementations do blocking I/O: call them from the blocking worker pool,
// never from an I/O thread or the app strand. Standard library only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hw::app {

/// Bytes of files, by id. Ids are chosen by the caller (32 lower-case hex digits; anything else
/// is refused). Thread-safe: different ids may be used from different threads at once.
class blob_store {
 public:
  /// A blob being written. Destroyed without commit(): everything written is removed.
  class writer {
   public:
    virtual ~writer() = default;
    /// Appends; false on an I/O error (disk full, ...): the writer is then useless.
    virtual bool append(std::span<const char> bytes) = 0;
    [[nodiscard]] virtual std::uint64_t written() const = 0;
    /// Makes the blob readable under `id` (atomically: a reader never sees a partial blob).
    /// False on an I/O error or a bad/used id; the partial blob is removed either way on failure.
    virtual bool commit(const std::string& id) = 0;
  };
  /// A committed blob, open for reading. Keeps the bytes readable even if the blob is removed
  /// meanwhile (a download in progress finishes).
  class reader {
   public:
    virtual ~reader() = default;
    [[nodiscard]] virtual std::uint64_t size() const = 0;
    /// Reads up to out.size() bytes at `offset`; returns the count (0 at the end or on error).
    virtual std::size_t read(std::uint64_t offset, std::span<char> out) = 0;
  };

  virtual ~blob_store() = default;
  /// A new, empty blob; null on an I/O error.
  virtual std::unique_ptr<writer> create() = 0;
  /// The committed blob `id`; null when there is none.
  virtual std::unique_ptr<reader> open(const std::string& id) = 0;
  /// Removes the blob; false when there was none.
  virtual bool remove(const std::string& id) = 0;
  /// Removes every blob and partial blob (at start: what a crash left). Returns how many.
  virtual std::size_t remove_all() = 0;
  /// Committed blob ids (tests, sweeps).
  virtual std::vector<std::string> list() = 0;
  /// Free bytes on the volume, for the disk-space floor; nullopt when unknown.
  virtual std::optional<std::uint64_t> free_bytes() = 0;
};

/// The media type of content, from its bytes only (libmagic in production): "image/png",
/// "application/x-dosexec", "text/plain", ... Never from a name or a declared type.
class content_sniffer {
 public:
  virtual ~content_sniffer() = default;
  /// Reads what it needs from `r` (at most a few MiB from the start). "application/octet-stream"
  /// when nothing is recognised. Thread-safe.
  virtual std::string sniff(blob_store::reader& r) = 0;
};

}  // namespace hw::app
