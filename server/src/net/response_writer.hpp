#pragma once
// Writes one http::response on an HTTP/1.1 connection (net/ internal). Beast: included by
// net/http_session.cpp only, so that Beast is still compiled in one translation unit.
//
// A body held in memory goes out in one write under the stream's timer. A body_source's bytes
// go out one chunk (≤ 64 KiB, in a buffer owned here for the response's duration) at a time:
// the next chunk is read from the source once the last is written, and a watchdog, not the
// stream's per-operation timer, times the transfer out on lack of progress.

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/metrics.hpp"
#include "http/message.hpp"
#include "net/http_rules.hpp"
#include "net/session_parts.hpp"

namespace hw::net {

/// Called once: the response is written (ok), or it cannot be and the connection must close.
/// `bytes`: what went on the wire, header included.
using written_fn = std::function<void(bool ok, std::uint64_t bytes)>;

/// One response at a time, on the connection's strand; `Stream` is Beast's tcp_stream or an
/// ssl_stream over one.
template <class Stream>
class response_writer {
 public:
  response_writer(Stream& stream, core::counter& bytes_out, std::chrono::milliseconds timeout)
      : stream_(stream),
        bytes_out_(bytes_out),
        timeout_(timeout),
        watchdog_(stream.get_executor()) {}

  /// Writes `res` as HTTP/`version` with Connection keep-alive or close. `res` must outlive the
  /// write; `owner` (the session) is held until `done` has run.
  void write(const http::response& res, unsigned version, bool keep_alive,
             std::shared_ptr<void> owner, written_fn done) {
    owner_ = std::move(owner);
    done_ = std::move(done);
    sent_ = 0;
    lowest().expires_after(timeout_);
    if (res.stream_body) return write_stream_head(res, version, keep_alive);
    msg_.emplace();
    fill_head(*msg_, res, version, keep_alive);
    const auto body = res.body_view();
    if (!no_body_status(res.status)) {
      msg_->content_length(body.size());
      msg_->body() =
          boost::beast::http::span_body<const char>::value_type(body.data(), body.size());
    }
    sr_.emplace(*msg_);
    auto on_written = [this, keep = owner_](boost::beast::error_code ec, std::size_t n) {
      count(n);
      finish(!ec);
    };
    if (res.head_only || no_body_status(res.status)) {
      boost::beast::http::async_write_header(stream_, *sr_, std::move(on_written));
    } else {
      boost::beast::http::async_write(stream_, *sr_, std::move(on_written));
    }
  }

  /// The connection is closing: the watchdog stops holding the session.
  void cancel() { watchdog_.cancel(); }

 private:
  using empty_response = boost::beast::http::response<boost::beast::http::empty_body>;

  boost::beast::tcp_stream& lowest() { return boost::beast::get_lowest_layer(stream_); }

  template <class Body>
  static void fill_head(boost::beast::http::response<Body>& m, const http::response& res,
                        unsigned version, bool keep_alive) {
    m.result(res.status);
    m.version(version);
    for (const auto& [name, value] : res.headers.fields())
      m.insert(name, value);
    m.keep_alive(keep_alive);
  }

  void count(std::size_t n) {
    bytes_out_.inc(n);
    sent_ += n;
  }

  // The header with the source's size as Content-Length, then the body (not for HEAD).
  void write_stream_head(const http::response& res, unsigned version, bool keep_alive) {
    head_msg_.emplace();
    fill_head(*head_msg_, res, version, keep_alive);
    const bool body = !res.head_only && !no_body_status(res.status);
    if (!no_body_status(res.status)) head_msg_->content_length(res.stream_body->size());
    head_sr_.emplace(*head_msg_);
    if (body) source_ = res.stream_body;
    boost::beast::http::async_write_header(
        stream_, *head_sr_, [this, keep = owner_](boost::beast::error_code ec, std::size_t n) {
          count(n);
          if (ec || !source_) return finish(!ec);
          streamed_ = 0;
          progress_ = false;
          unacked_.reset();
          buf_ = std::make_unique<char[]>(stream_chunk_bytes);
          lowest().expires_never();  // the watchdog times the body out
          arm_watchdog();
          read_source();
        });
  }

  void read_source() {
    const auto total = source_->size();
    if (streamed_ >= total) return finish(true);
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(total - streamed_, stream_chunk_bytes));
    source_->read({buf_.get(), want}, [this, keep = owner_, want](std::size_t n) {
      boost::asio::dispatch(stream_.get_executor(), [this, keep, n, want] { on_source(n, want); });
    });
  }

  void on_source(std::size_t n, std::size_t want) {
    progress_ = true;
    // A read error (or a source breaking its contract): the promised length cannot be kept, and
    // only closing tells the client that the body is incomplete. A connection closed meanwhile
    // (shutdown, the watchdog) ends here too.
    if (n == 0 || n > want || !lowest().socket().is_open()) return finish(false);
    out_done_ = 0;
    out_size_ = n;
    write_chunk();
  }

  void write_chunk() {
    stream_.async_write_some(boost::asio::buffer(buf_.get() + out_done_, out_size_ - out_done_),
                             [this, keep = owner_](boost::beast::error_code ec, std::size_t n) {
                               count(n);
                               streamed_ += n;
                               out_done_ += n;
                               progress_ = true;
                               if (ec) return finish(false);
                               if (out_done_ < out_size_) return write_chunk();
                               read_source();
                             });
  }

  // Every timeout, something must have moved: a write or a source read completed, or the peer
  // acknowledged bytes. Not the stream's per-write timer: the kernel wakes a blocked writer only
  // once a third of its send buffer is free, which a slow but steady reader may take longer
  // than the timeout to read.
  void arm_watchdog() {
    watchdog_.expires_after(timeout_);
    watchdog_.async_wait([this, keep = owner_](boost::beast::error_code ec) {
      if (ec || !source_) return;
      const auto unacked = unacked_bytes(lowest().socket().native_handle());
      const bool acked = unacked && unacked_ && *unacked < *unacked_;
      unacked_ = unacked;
      if (!std::exchange(progress_, false) && !acked) {
        // Stalled: the write (or source read) in flight then ends the response with an error.
        boost::beast::error_code ignored;
        lowest().socket().close(ignored);
        return;
      }
      arm_watchdog();
    });
  }

  void finish(bool ok) {
    watchdog_.cancel();
    source_.reset();  // a file is closed as soon as its response is done
    buf_.reset();
    sr_.reset();
    msg_.reset();
    head_sr_.reset();
    head_msg_.reset();
    auto done = std::move(done_);
    auto keep = std::move(owner_);  // the session lives on until done has run
    done(ok, sent_);
  }

  Stream& stream_;
  core::counter& bytes_out_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<void> owner_;
  written_fn done_;
  std::uint64_t sent_ = 0;
  std::optional<boost::beast::http::response<boost::beast::http::span_body<const char>>> msg_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::span_body<const char>>>
      sr_;
  std::optional<empty_response> head_msg_;  ///< a streamed response's header
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>> head_sr_;
  std::shared_ptr<http::body_source> source_;  ///< set while a streamed body is being written
  std::unique_ptr<char[]> buf_;                ///< its chunk
  std::size_t out_done_ = 0;
  std::size_t out_size_ = 0;  ///< bytes of the chunk written, and in the chunk
  std::uint64_t streamed_ = 0;
  boost::asio::steady_timer watchdog_;
  bool progress_ = false;               ///< a write or source read completed since the last tick
  std::optional<std::size_t> unacked_;  ///< bytes the peer had not acknowledged at the last tick
};

}  // namespace hw::net
