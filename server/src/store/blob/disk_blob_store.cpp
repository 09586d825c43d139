#include "store/blob/disk_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <span>
#include <system_error>
#include <utility>

#include "core/random.hpp"

// No fsync anywhere, on purpose: blobs are temporary (a chat's files live at most a day) and
// every blob is removed at start anyway (remove_all), so a blob that a crash tore is never
// served; syncing would only cost every upload a disk flush.

namespace hw::store::blob {

namespace fs = std::filesystem;

bool is_blob_id(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

namespace {

// Writes all of `bytes`, through short writes and signals. False on an I/O error.
bool write_all(int fd, std::span<const char> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

class disk_writer final : public app::blob_store::writer {
 public:
  disk_writer(int fd, fs::path tmp, fs::path dir)
      : fd_(fd), tmp_(std::move(tmp)), dir_(std::move(dir)) {}
  disk_writer(const disk_writer&) = delete;
  disk_writer& operator=(const disk_writer&) = delete;
  ~disk_writer() override { discard(); }

  bool append(std::span<const char> bytes) override {
    if (fd_ < 0) return false;
    if (!write_all(fd_, bytes)) {
      discard();  // a disk-full blob is useless: free its space now
      return false;
    }
    written_ += bytes.size();
    return true;
  }

  [[nodiscard]] std::uint64_t written() const override { return written_; }

  // link() rather than rename(): it fails with EEXIST instead of replacing a blob that already
  // has this id, atomically, on every POSIX filesystem. The temporary name goes either way.
  bool commit(const std::string& id) override {
    if (fd_ < 0) return false;
    const bool closed = ::close(std::exchange(fd_, -1)) == 0;  // NFS reports write errors here
    const bool linked = closed && is_blob_id(id) && ::link(tmp_.c_str(), (dir_ / id).c_str()) == 0;
    discard();
    return linked;
  }

 private:
  void discard() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    tmp_.clear();
  }

  int fd_;
  fs::path tmp_;
  fs::path dir_;
  std::uint64_t written_ = 0;
};

// An open descriptor keeps the bytes of an unlinked file: a download outlives a removal.
class disk_reader final : public app::blob_store::reader {
 public:
  disk_reader(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  disk_reader(const disk_reader&) = delete;
  disk_reader& operator=(const disk_reader&) = delete;
  ~disk_reader() override { ::close(fd_); }

  [[nodiscard]] std::uint64_t size() const override { return size_; }

  std::size_t read(std::uint64_t offset, std::span<char> out) override {
    if (offset >= size_) return 0;
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    std::size_t got = 0;
    while (got < want) {
      const ssize_t n =
          ::pread(fd_, out.data() + got, want - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // an error, or a file shorter than its size (never written so)
      got += static_cast<std::size_t>(n);
    }
    return got;
  }

 private:
  int fd_;
  std::uint64_t size_;
};

std::string random_name() {
  std::array<char, 33> buf{};
  std::snprintf(buf.data(), buf.size(), "%016llx%016llx",
                static_cast<unsigned long long>(core::random_u64()),
                static_cast<unsigned long long>(core::random_u64()));
  return {buf.data(), 32};
}

// Creates `dir` if needed and leaves it mode 0700 (blobs are private to the server).
std::string make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir.string() + ": " + ec.message();
  if (!fs::is_directory(dir, ec)) return dir.string() + " is not a directory";
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return "cannot make " + dir.string() + " private: " + ec.message();
  return {};
}

// The names in `dir` (nothing when it cannot be read), listed before anything is removed so
// that removing does not disturb the iteration.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(it->path().filename().string());
  return out;
}

}  // namespace

disk_blob_store::disk_blob_store(fs::path dir) : dir_(std::move(dir)), tmp_(dir_ / "tmp") {
  error_ = make_private_dir(dir_);
  if (error_.empty()) error_ = make_private_dir(tmp_);
}

std::unique_ptr<app::blob_store::writer> disk_blob_store::create() {
  if (!error_.empty()) return nullptr;
  // 128 random bits never collide in practice; the retries only cover a stray file.
  for (int attempt = 0; attempt < 4; ++attempt) {
    fs::path tmp = tmp_ / random_name();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return std::make_unique<disk_writer>(fd, std::move(tmp), dir_);
    if (errno != EEXIST) return nullptr;
  }
  return nullptr;
}

std::unique_ptr<app::blob_store::reader> disk_blob_store::open(const std::string& id) {
  if (!is_blob_id(id)) return nullptr;
  const int fd = ::open((dir_ / id).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<disk_reader>(fd, static_cast<std::uint64_t>(st.st_size));
}

bool disk_blob_store::remove(const std::string& id) {
  return is_blob_id(id) && ::unlink((dir_ / id).c_str()) == 0;
}

std::size_t disk_blob_store::remove_all() {
  std::size_t removed = 0;
  for (const std::string& name : names_in(dir_)) {
    if (is_blob_id(name) && ::unlink((dir_ / name).c_str()) == 0) ++removed;
  }
  for (const std::string& name : names_in(tmp_)) {
    if (::unlink((tmp_ / name).c_str()) == 0) ++removed;
  }
  return removed;
}

std::vector<std::string> disk_blob_store::list() {
  std::vector<std::string> ids;
  for (std::string& name : names_in(dir_)) {
    std::error_code ec;
    if (is_blob_id(name) && fs::is_regular_file(fs::symlink_status(dir_ / name, ec)))
      ids.push_back(std::move(name));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<std::uint64_t> disk_blob_store::free_bytes() {
  struct statvfs st {};
  if (::statvfs(dir_.c_str(), &st) != 0) return std::nullopt;
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(st.f_bavail),
                             static_cast<std::uint64_t>(st.f_frsize), &bytes))
    return std::numeric_limits<std::uint64_t>::max();
  return bytes;
}

}  // namespace hw::store::blob
