#pragma once
// The Beast-free rules of one HTTP/1.1 exchange (net/ internal): which requests are WebSocket
// upgrades, how a request body is taken once the handler's body_plan is known, and the guard
// that keeps a body_sink's call order. Kept out of http_session.cpp so that they compile (and
// are unit-tested) without Beast, whose translation units are slow to build.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "http/handler.hpp"
#include "http/message.hpp"

namespace hw::net {

/// Bytes of one chunk of a streamed body, both ways (the session's one I/O buffer).
inline constexpr std::size_t stream_chunk_bytes = 64UL << 10U;

/// 1xx, 204 and 304 answers carry no body (and no Content-Length).
bool no_body_status(unsigned status);
/// True when `list` (a comma-separated header value) contains `token`, ignoring case.
bool has_token(std::string_view list, std::string_view token);
bool is_websocket_upgrade(const http::request& r);

/// What the header said about the body.
struct body_head {
  bool has_body = false;  ///< Content-Length > 0 or chunked: bytes follow the header
  std::optional<std::uint64_t> content_length;
  bool http11 = true;            ///< HTTP/1.1 or later (1.0 clients never get a 100 Continue)
  bool expect_continue = false;  ///< `Expect: 100-continue`
};
body_head make_body_head(const http::request& r, bool has_body,
                         std::optional<std::uint64_t> content_length, unsigned version);

/// How net/ proceeds once the handler's plan is known.
struct body_decision {
  enum class action {
    refuse,     ///< answer plan.refusal; the body is not read
    too_large,  ///< Content-Length over the limit: 413 at once, the body is not read
    none,       ///< no body follows: handle (or finish the sink) now
    buffer,     ///< read the body into request::body, then handle
    stream,     ///< read the body chunk by chunk into plan.sink
  };
  action what = action::buffer;
  std::uint64_t limit = 0;     ///< the effective limit (the plan's, or the server's default)
  bool send_continue = false;  ///< write `100 Continue` before reading the body
};
body_decision decide_body(const http::body_plan& plan, const body_head& head,
                          std::uint64_t default_limit);

/// Holds a request's body_sink and keeps the contract of its calls: write()* then exactly one
/// of finish() or abort(), never a call while a write is in flight (an abort asked for then
/// happens when the write completes), and an abort when the holder is destroyed while the sink
/// is still owed its end (a session dropped mid-body at shutdown). Used on one strand only.
class sink_slot {
 public:
  sink_slot() = default;
  sink_slot(const sink_slot&) = delete;
  sink_slot& operator=(const sink_slot&) = delete;
  ~sink_slot();

  /// Takes a new sink (null: none); the previous one must have ended.
  void reset(std::shared_ptr<http::body_sink> sink);
  /// A sink is held that has not had finish() or abort() yet.
  [[nodiscard]] bool active() const { return sink_ != nullptr; }
  /// A write is in flight (its done not arrived yet).
  [[nodiscard]] bool busy() const { return busy_; }
  /// Hands a chunk over. `done` must lead to written() on the holder's strand.
  void write(std::span<const char> chunk, std::function<void(bool ok)> done);
  /// The write's done arrived. False when the sink was aborted meanwhile (it is now): the
  /// caller stops. True: the caller goes on (reads on, or finishes).
  bool written();
  void finish(bool failed, http::respond_fn respond);
  /// Now, or when the write in flight completes. At most once; never after finish().
  void abort();

 private:
  std::shared_ptr<http::body_sink> sink_;
  bool busy_ = false;
  bool abort_pending_ = false;
};

}  // namespace hw::net
