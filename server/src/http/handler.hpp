#pragma once
// The one interface between net/ and everything that answers HTTP requests.
//
// A request's life, as net/ runs it:
//   1. the header is read (size-checked) and handed to `handler::admit`, which decides how the
//      body is taken: buffered into request::body up to a limit (the default), streamed chunk
//      by chunk into a `body_sink`, or refused at once without reading it (a 401, a 413 from
//      Content-Length, ...). `Expect: 100-continue` is answered only when the body is wanted.
//   2. a buffered body is read whole and `handle` is called; a streamed one is written to the
//      sink one chunk at a time (the next chunk is read only when the sink is done with the
//      last, so a slow disk slows the client, not memory), then `body_sink::finish` answers.
//   3. the response is written: a body held in memory, or streamed from a `body_source` one
//      chunk at a time. Streamed bodies (both ways) time out on lack of progress, not on the
//      whole transfer, so a slow client moving a large file is not cut off.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "http/message.hpp"

namespace hw::http {

/// Called exactly once with the response. May be called later, from any thread (handlers that
/// wait on the app strand or a store answer asynchronously); net/ re-enters the connection's
/// strand itself. `req` stays valid until `respond` has been called.
using respond_fn = std::function<void(response)>;

/// Where a streamed request body goes. net/ calls it on the connection's strand, one call at a
/// time and in order: write()* then exactly one of finish() or abort().
class body_sink {
 public:
  virtual ~body_sink() = default;
  /// The next chunk of the body. `chunk` stays valid until `done` is called; `done` may be called
  /// from any thread. done(false) stops the upload: net/ then calls finish() with `failed` set,
  /// so that the sink answers (e.g. 507 when the disk filled up).
  virtual void write(std::span<const char> chunk, std::function<void(bool ok)> done) = 0;
  /// The whole body arrived (or a write failed: `failed`). Answers the request; may answer later,
  /// from any thread.
  virtual void finish(bool failed, respond_fn respond) = 0;
  /// The body will never complete: the client went away, timed out, or passed the limit (net/
  /// answers 413 itself). Drop what was received. Called at most once, instead of finish().
  virtual void abort() = 0;
};

/// How to take a request's body (see the top of this file).
struct body_plan {
  /// Answer this at once; the body is not read (the connection is closed after it when the
  /// request announced a body).
  std::optional<response> refusal;
  /// Stream the body into this sink; null: buffer it into request::body.
  std::shared_ptr<body_sink> sink;
  /// The most body bytes accepted (413 beyond, as soon as it is known); 0: the server's default
  /// (--max-body-bytes).
  std::uint64_t limit = 0;
};
using plan_fn = std::function<void(body_plan)>;

/// Something that answers requests. Implementations must not throw for any request content.
class handler {
 public:
  virtual ~handler() = default;
  /// Decides how the body of `head` (method, target, headers; body still empty) is taken. The
  /// default buffers it under the server's default limit. `decide` is called exactly once, maybe
  /// later and from any thread; `head` stays valid until then.
  // By value: implementations keep `decide` until they know (NOLINT for this default one).
  virtual void admit(const request& head,
                     plan_fn decide) {  // NOLINT(performance-unnecessary-value-param)
    (void)head;
    decide(body_plan{});
  }
  virtual void handle(const request& req, respond_fn respond) = 0;
};

/// A handler made of a function (small endpoints wired in runtime.cpp).
class function_handler final : public handler {
 public:
  explicit function_handler(std::function<void(const request&, respond_fn)> f) : f_(std::move(f)) {}
  void handle(const request& req, respond_fn respond) override { f_(req, std::move(respond)); }

 private:
  std::function<void(const request&, respond_fn)> f_;
};

}  // namespace hw::http
