#pragma once
// app::blob_store on a local directory (POSIX). Committed blobs are the files `dir/<id>`; blobs
// being written are `dir/tmp/<random>` until commit links them into place, so a reader never
// sees a partial blob and a crash leaves only files that remove_all() finds at the next start.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/blobs.hpp"

namespace hw::store::blob {

/// True for a blob id the store accepts: exactly 32 lower-case hex digits. Everything else is
/// refused before it can become part of a path.
bool is_blob_id(std::string_view id);

/// Blobs as files in one directory. Thread-safe: the object holds nothing mutable (the directory
/// paths and the startup error are set by the constructor), and every operation is a single
/// filesystem call whose atomicity (O_EXCL, link, unlink) arbitrates between threads. A writer
/// or reader is used by one thread at a time.
class disk_blob_store final : public app::blob_store {
 public:
  /// Creates `dir` (mode 0700) and `dir/tmp` when absent. Never throws: when they cannot be
  /// created, error() says why and create() returns null (check error() at startup).
  explicit disk_blob_store(std::filesystem::path dir);

  /// Empty when the directories are usable; else what went wrong (for the startup log).
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  std::unique_ptr<writer> create() override;
  std::unique_ptr<reader> open(const std::string& id) override;
  bool remove(const std::string& id) override;
  /// Removes the committed blobs (files named like an id in dir) and everything in dir/tmp.
  /// Other files in dir are left alone: if dir were misconfigured to a directory holding other
  /// data, a start must not wipe it.
  std::size_t remove_all() override;
  std::vector<std::string> list() override;
  std::optional<std::uint64_t> free_bytes() override;

 private:
  std::filesystem::path dir_;
  std::filesystem::path tmp_;
  std::string error_;
};

}  // namespace hw::store::blob
