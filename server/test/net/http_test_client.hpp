#pragma once
// A raw HTTP/1.1 client over a blocking POSIX socket with timeouts, for net/ tests over real
// sockets: what it sends is exactly what the test wrote, and what it reads is what the server
// put on the wire. No Beast (its translation units are slow to build).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hw::net::test {

/// A parsed response (header names lower-case).
struct raw_response {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  [[nodiscard]] std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class raw_client {
 public:
  /// Connects to 127.0.0.1:port. `rcvbuf`/`sndbuf` (bytes, 0 = the system's) are set before the
  /// connection so that they bound the TCP windows.
  explicit raw_client(std::uint16_t port, int rcvbuf = 0, int sndbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (sndbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    timeval tv{5, 0};  // a send that cannot progress for 5 s fails instead of hanging the test
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~raw_client() { close(); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] int fd() const { return fd_; }

  /// Sends everything; false when the connection failed (closed, reset, 5 s without progress).
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Sends what fits without blocking; returns the bytes sent (0 when the socket is full).
  std::size_t send_some_nonblocking(std::string_view data) {
    const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }

  /// Reads what arrives within `timeout` (at most `max` bytes) into the buffer. Returns the
  /// bytes read; sets closed() on EOF or error.
  std::size_t read_some(std::chrono::milliseconds timeout, std::size_t max = 64UL << 10U) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return 0;
    std::string chunk(max, '\0');
    const auto n = ::recv(fd_, chunk.data(), chunk.size(), 0);
    if (n <= 0) {
      closed_ = true;
      return 0;
    }
    buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    return static_cast<std::size_t>(n);
  }

  /// Reads until the buffer holds `bytes` bytes, EOF, or the deadline.
  bool read_until_size(std::size_t bytes, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.size() < bytes && !closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      read_some(left);
    }
    return buffer_.size() >= bytes;
  }

  /// Reads until EOF (or an error) within `timeout`; true when the server closed.
  bool read_until_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      read_some(left);
    }
    return true;
  }

  /// Reads one response (a body by Content-Length; none for 1xx/204/304 or `head`). Consumes
  /// it from the buffer; nullopt on timeout, EOF or garbage.
  std::optional<raw_response> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10), bool head = false) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t end = std::string::npos;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (closed_ || !read_more(deadline)) return std::nullopt;
    }
    raw_response r;
    if (!parse_head(std::string_view(buffer_).substr(0, end), r)) return std::nullopt;
    std::size_t length = 0;
    const bool no_body = head || r.status < 200 || r.status == 204 || r.status == 304;
    if (!no_body && !r.header("content-length").empty()) {
      length = std::stoull(r.header("content-length"));
    }
    while (buffer_.size() < end + 4 + length) {
      if (closed_ || !read_more(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    return r;
  }

  /// Received bytes not consumed by read_response.
  std::string& buffer() { return buffer_; }
  [[nodiscard]] bool closed() const { return closed_; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool read_more(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    read_some(left);
    return true;
  }

  static bool parse_head(std::string_view head, raw_response& r) {
    if (!head.starts_with("HTTP/1.1 ") || head.size() < 12) return false;
    r.status = std::stoi(std::string(head.substr(9, 3)));
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos) {
      pos += 2;
      const auto next = head.find("\r\n", pos);
      const auto line = head.substr(pos, next == std::string_view::npos ? head.npos : next - pos);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
          value.remove_prefix(1);
        r.headers[name] = std::string(value);
      }
      pos = next;
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

}  // namespace hw::net::test
