#pragma once
// A real net::server on 127.0.0.1:0 with a handler whose routes exercise the streamed body
// contract (http/handler.hpp): /upload streams into a recording sink, /refuse refuses in admit,
// /echo buffers, /download streams a generated body from a body_source.

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/handler.hpp"
#include "http_test_client.hpp"
#include "net/server.hpp"

#if defined(__SANITIZE_ADDRESS__)
// From the ASan runtime (sanitizer/allocator_interface.h, which GCC does not install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

namespace hw::net::test {

using namespace std::chrono_literals;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

/// Bytes the heap holds now (the allocator's own count under ASan).
inline std::size_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

/// The test pattern: byte i of every generated body (not periodic at any power of two).
inline char pattern_byte(std::uint64_t i) {
  return static_cast<char>((i * 131U + (i >> 13U) * 7U + 17U) & 0xffU);
}
inline std::string pattern(std::uint64_t from, std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t k = 0; k < n; ++k)
    s[k] = pattern_byte(from + k);
  return s;
}

/// FNV-1a, incremental: the digest of a body seen in chunks.
struct fnv {
  std::uint64_t h = 1469598103934665603ULL;
  void add(std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
  }
};

/// Runs callbacks on its own thread after a delay (a sink or source answering "from any
/// thread, later"). Joined (running what is left) before the server is destroyed.
class delayed_runner {
 public:
  delayed_runner() : thread_([this] { run(); }) {}
  ~delayed_runner() { stop(); }
  delayed_runner(const delayed_runner&) = delete;
  delayed_runner& operator=(const delayed_runner&) = delete;
  void post(std::chrono::milliseconds delay, std::function<void()> f) {
    {
      std::lock_guard lock(m_);
      q_.emplace_back(std::chrono::steady_clock::now() + delay, std::move(f));
    }
    cv_.notify_all();
  }
  void stop() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // In order of posting (delays are equal per use): each waits for its time, then runs.
  void run() {
    std::unique_lock lock(m_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !q_.empty(); });
      if (q_.empty()) return;  // stopping, nothing left
      auto [when, f] = std::move(q_.front());
      q_.pop_front();
      if (!stop_) cv_.wait_until(lock, when, [this] { return stop_; });
      lock.unlock();
      f();
      lock.lock();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> q_;
  bool stop_ = false;
  std::thread thread_;
};

/// What the sinks saw, shared with the test thread.
struct sink_log {
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t bytes = 0;  ///< by every sink together
  int writes = 0;
  std::size_t max_chunk = 0;
  int in_flight = 0;
  int max_in_flight = 0;
  int finishes = 0;
  int aborts = 0;
  bool finished_failed = false;
  int calls_after_end = 0;    ///< write/finish/abort after finish or abort (must stay 0)
  std::size_t heap_base = 0;  ///< heap_in_use() before the upload; 0 = not measured
  std::size_t heap_peak = 0;  ///< the most heap_in_use() seen at a write
  std::vector<std::function<void(bool)>> held;  ///< dones of a gated sink, not yet called

  /// Waits (up to `timeout`) until pred() holds under the lock.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, timeout, pred);
  }
};

enum class sink_mode {
  immediate,  ///< done(true) inside write()
  delayed,    ///< done(true) from another thread, 20 ms later
  gated,      ///< done held in sink_log::held until the test calls it
  fail_third  ///< done(false) on the third write
};

class test_handler final : public http::handler {
 public:
  explicit test_handler(delayed_runner& runner) : runner_(runner) {}
  void admit(const http::request& head, http::plan_fn decide) override;
  void handle(const http::request& req, http::respond_fn respond) override;

  std::shared_ptr<sink_log> log = std::make_shared<sink_log>();
  sink_mode mode = sink_mode::immediate;
  std::uint64_t upload_limit = 16 * MiB;

 private:
  delayed_runner& runner_;
};

/// A fixture that starts the server in start() and shuts it down in TearDown.
class streaming_test : public ::testing::Test {
 protected:
  void start(std::chrono::milliseconds request_timeout = 5s, std::size_t max_body = 1 * MiB);
  /// Shuts down, joins, drops the dones a gated sink still holds, destroys the server.
  void stop_server();
  void TearDown() override { stop_server(); }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  sink_log& log() { return *handler_.log; }

  delayed_runner runner_;
  test_handler handler_{runner_};
  std::unique_ptr<net::server> server_;
  std::thread thread_;
};

/// Records every call in a sink_log; answers finish with "<bytes> <digest>" (201), or 507
/// when a write failed.
class recording_sink final : public http::body_sink {
 public:
  recording_sink(std::shared_ptr<sink_log> log, sink_mode mode, delayed_runner& runner)
      : log_(std::move(log)), mode_(mode), runner_(runner) {}

  void write(std::span<const char> chunk, std::function<void(bool ok)> done) override {
    int nth = 0;
    {
      std::lock_guard lock(log_->m);
      if (ended_) ++log_->calls_after_end;
      log_->bytes += chunk.size();
      bytes_ += chunk.size();
      digest_.add(std::string_view(chunk.data(), chunk.size()));
      nth = ++log_->writes;
      log_->max_chunk = std::max(log_->max_chunk, chunk.size());
      log_->max_in_flight = std::max(log_->max_in_flight, ++log_->in_flight);
      if (log_->heap_base != 0) log_->heap_peak = std::max(log_->heap_peak, heap_in_use());
    }
    log_->cv.notify_all();
    auto finish_write = [log = log_, done = std::move(done)](bool ok) {
      {
        std::lock_guard lock(log->m);
        --log->in_flight;
      }
      done(ok);
    };
    switch (mode_) {
      case sink_mode::immediate:
        return finish_write(true);
      case sink_mode::fail_third:
        return finish_write(nth != 3);
      case sink_mode::delayed:
        return runner_.post(20ms, [f = std::move(finish_write)]() mutable { f(true); });
      case sink_mode::gated: {
        {
          std::lock_guard lock(log_->m);
          log_->held.emplace_back(std::move(finish_write));
        }
        log_->cv.notify_all();
        return;
      }
    }
  }

  void finish(bool failed, http::respond_fn respond) override {
    std::string answer;
    {
      std::lock_guard lock(log_->m);
      if (ended_) ++log_->calls_after_end;
      ended_ = true;
      ++log_->finishes;
      log_->finished_failed = failed;
      answer = std::to_string(bytes_) + " " + std::to_string(digest_.h);
    }
    log_->cv.notify_all();
    respond(failed ? http::make_error(507, "insufficient_storage", "write failed")
                   : http::make_text(201, "text/plain", answer));
  }

  void abort() override {
    {
      std::lock_guard lock(log_->m);
      if (ended_) ++log_->calls_after_end;
      ended_ = true;
      ++log_->aborts;
    }
    log_->cv.notify_all();
  }

 private:
  std::shared_ptr<sink_log> log_;
  sink_mode mode_;
  delayed_runner& runner_;
  bool ended_ = false;
  std::uint64_t bytes_ = 0;
  fnv digest_;
};

/// `size` pattern bytes; fails (done(0)) at byte `fail_at` when that is below size. Answers
/// from the runner's thread when `runner` is set.
class pattern_source final : public http::body_source {
 public:
  pattern_source(std::uint64_t size, std::uint64_t fail_at, delayed_runner* runner)
      : size_(size), fail_at_(fail_at), runner_(runner) {}
  [[nodiscard]] std::uint64_t size() const override { return size_; }
  void read(std::span<char> buf, std::function<void(std::size_t n)> done) override {
    std::size_t n = 0;
    if (offset_ < fail_at_) {
      n = static_cast<std::size_t>(
          std::min<std::uint64_t>({buf.size(), size_ - offset_, fail_at_ - offset_}));
      for (std::size_t k = 0; k < n; ++k)
        buf[k] = pattern_byte(offset_ + k);
      offset_ += n;
    }
    if (runner_ == nullptr) return done(n);
    runner_->post(0ms, [done = std::move(done), n] { done(n); });
  }

 private:
  std::uint64_t size_;
  std::uint64_t fail_at_;
  std::uint64_t offset_ = 0;
  delayed_runner* runner_;
};

inline std::uint64_t query_number(std::string_view query, std::string_view key,
                                  std::uint64_t fallback) {
  const auto at = query.find(std::string(key) + "=");
  if (at == std::string_view::npos) return fallback;
  return std::stoull(std::string(query.substr(at + key.size() + 1)));
}

inline void test_handler::admit(const http::request& head, http::plan_fn decide) {
  http::body_plan plan;
  if (head.path == "/refuse") {
    plan.refusal = http::make_error(401, "token_missing", "no token");
  } else if (head.path == "/upload") {
    plan.sink = std::make_shared<recording_sink>(log, mode, runner_);
    plan.limit = upload_limit;
  }
  // Half the plans are decided later from another thread, as a real admission check may be.
  if (head.query.find("later") != std::string::npos) {
    return runner_.post(
        5ms, [d = std::move(decide), p = std::move(plan)]() mutable { d(std::move(p)); });
  }
  decide(std::move(plan));
}

inline void test_handler::handle(const http::request& req, http::respond_fn respond) {
  if (req.path == "/echo") {
    fnv f;
    f.add(req.body);
    return respond(http::make_text(200, "text/plain",
                                   std::to_string(req.body.size()) + " " + std::to_string(f.h)));
  }
  if (req.path == "/download") {
    const auto size = query_number(req.query, "size", 0);
    http::response r;
    r.headers.set("content-type", "application/octet-stream");
    r.stream_body = std::make_shared<pattern_source>(
        size, query_number(req.query, "fail", size),
        req.query.find("thread") != std::string::npos ? &runner_ : nullptr);
    r.head_only = req.method == "HEAD";
    return respond(std::move(r));
  }
  respond(http::make_error(404, "not_found", "no such route"));
}

inline void streaming_test::start(std::chrono::milliseconds request_timeout, std::size_t max_body) {
  net::server_options o;
  o.port = 0;
  o.threads = 2;
  o.request_timeout = request_timeout;
  o.max_body_bytes = max_body;
  o.shutdown_grace = 300ms;
  net::server_hooks h;
  h.handler = &handler_;
  server_ = std::make_unique<net::server>(o, h);
  ASSERT_FALSE(server_->listen().has_value());
  thread_ = std::thread([this] { server_->run(); });
}

inline void streaming_test::stop_server() {
  if (!server_) return;
  server_->begin_shutdown();
  thread_.join();
  runner_.stop();  // what it still holds runs now: dispatches onto the stopped io_context
  std::vector<std::function<void(bool)>> held;
  {
    std::lock_guard lock(log().m);
    held.swap(log().held);
  }
  held.clear();  // dropped uncalled: their sessions are destroyed here, the server still alive
  server_.reset();
}

/// "POST <target>" with a Content-Length body header block (the body is sent separately).
inline std::string post_head(std::string_view target, std::uint64_t length,
                             std::string_view extra_headers = {}) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(length) + "\r\n" +
         std::string(extra_headers) + "\r\n";
}

/// Sends pattern bytes [from, total) in pieces of `piece`; false when the connection failed.
inline bool send_pattern(raw_client& c, std::uint64_t total, std::size_t piece = 64 * KiB,
                         std::uint64_t from = 0) {
  for (std::uint64_t off = from; off < total; off += piece) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(piece, total - off));
    if (!c.send_all(pattern(off, n))) return false;
  }
  return true;
}

}  // namespace hw::net::test
