#include "core/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/rand.h>

namespace hw::core {

std::string random_hex(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) {
    // No entropy is a broken machine, not bad input: refuse to run with weak secrets.
    std::abort();
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned char b : bytes) {
    out += hex[b >> 4U];
    out += hex[b & 0xFU];
  }
  return out;
}

std::optional<std::string> load_or_create_secret(const std::filesystem::path& file,
                                                 std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    error = "cannot create " + file.parent_path().string() + ": " + ec.message();
    return std::nullopt;
  }
  fs::permissions(file.parent_path(), fs::perms::owner_all, fs::perm_options::replace, ec);

  struct stat st {};
  if (::stat(file.c_str(), &st) == 0) {
    if ((st.st_mode & 077U) != 0) ::chmod(file.c_str(), 0600);
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
      s.pop_back();
    if (s.size() < 32) {
      error = file.string() + " holds a secret shorter than 32 characters";
      return std::nullopt;
    }
    return s;
  }

  const std::string secret = random_hex(32);
  // O_EXCL: two instances starting at once on one data dir must not overwrite each other.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return load_or_create_secret(file, error);
    error = "cannot create " + file.string() + ": " + std::strerror(errno);  // NOLINT
    return std::nullopt;
  }
  const std::string line = secret + "\n";
  const auto written = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size())) {
    error = "cannot write " + file.string();
    return std::nullopt;
  }
  return secret;
}

}  // namespace hw::core
