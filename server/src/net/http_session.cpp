#include "net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>

#include "core/wire_errors.hpp"
#include "http/message.hpp"
#include "net/http_rules.hpp"
#include "net/session_parts.hpp"
#include "net/ws_session.hpp"

namespace hw::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr std::size_t idle_read_bytes = 4096;
constexpr auto linger_timeout = std::chrono::seconds(2);
constexpr std::size_t linger_max_bytes = 64UL << 10U;

// Sent before reading a body the client holds back for it (`Expect: 100-continue`).
constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

// Where the session is between requests; decides what drain() may do.
enum class phase { handshake, idle, reading, handling, writing, closing };

/// One HTTP/1.1 connection: reads a request, hands it to the handler, writes the response, and
/// repeats (keep-alive, in order, so pipelining is safe). Owns only its stream; everything shared
/// lives in server_context. All members are touched on the stream's strand only.
template <class Stream>
class http_session final : public session_base,
                           public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(Stream stream, server_context& ctx, peer_info peer, unsigned reject_status)
      : stream_(std::move(stream)),
        ctx_(ctx),
        ip_(std::move(peer.limit_key)),
        client_(peer.address, peer.trusted_proxy),
        reject_status_(reject_status),
        buffer_(ctx.opts.max_header_bytes + (64UL << 10U)),
        watchdog_(stream_.get_executor()),
        draining_(ctx.draining.load()) {
    req_.tls = std::is_same_v<Stream, tls_stream>;  // for answers sent before any request
  }

  ~http_session() override {
    if (reject_status_ != 0) {
      ctx_.rejecting.fetch_sub(1);
    } else if (id_ != 0) {
      ctx_.remove_session(id_, ip_);
    }
  }

  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  void start() {
    if (reject_status_ == 0) {
      id_ = ctx_.add_session(this->weak_from_this());
      ctx_.open_connections.add(1);
    }
    lowest().expires_after(ctx_.opts.request_timeout);
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      phase_ = phase::handshake;
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close_now();
                                self->after_handshake();
                              });
    } else {
      after_handshake();
    }
  }

  void drain() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      // Idle between requests: nothing is lost by closing now.
      if (self->phase_ == phase::idle) self->close_now();
    });
  }

  void force_close() override {
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void after_handshake() {
    if (reject_status_ != 0) {
      // The listener refuses at the global bound (503) or the per-address one (429).
      if (reject_status_ == core::http_status(core::wire_error::server_busy)) {
        send_error(core::wire_error::server_busy, "the server has too many open connections",
                   "rejected");
      } else {
        send_error(core::wire_error::too_many_connections, {}, "rejected");
      }
      return;
    }
    wait_for_request();
  }

  // Between requests: wait for the first byte under the idle timeout, then read the whole
  // request under the request timeout. Pipelined bytes already buffered skip the wait.
  void wait_for_request() {
    io_.reset();  // an idle keep-alive connection holds no chunk buffer
    if (buffer_.size() > 0) return read_request();
    phase_ = phase::idle;
    lowest().expires_after(ctx_.opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(idle_read_bytes),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close_now();
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  void read_request() {
    phase_ = phase::reading;
    started_ = std::chrono::steady_clock::now();
    head_.emplace();
    head_->header_limit(static_cast<std::uint32_t>(ctx_.opts.max_header_bytes));
    // The body limit is the handler's (body_plan::limit): an announced length is judged once
    // the plan is known, not by the parser while it reads the header.
    head_->body_limit(boost::none);
    lowest().expires_after(ctx_.opts.request_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *head_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          self->ctx_.request_bytes.inc(n);
          if (ec) return self->on_read_error(ec, "static");
          self->on_header();
        });
  }

  void on_read_error(beast::error_code ec, std::string_view route) {
    sink_.abort();
    if (ec == bhttp::error::header_limit) {
      return send_error(core::wire_error::header_too_large, {}, route);
    }
    if (ec == bhttp::error::body_limit) {
      return send_error(core::wire_error::body_too_large, {}, route);
    }
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return close_now();
    }
    // A parse error is the client's fault; anything else is the socket's.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return send_error(core::wire_error::bad_request, {}, route);
    }
    close_now();
  }

  // The header is in: the WebSocket check first, then the handler decides how the body is taken.
  void on_header() {
    phase_ = phase::handling;
    const auto& msg = head_->get();
    req_ = http::request{};
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    const auto q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    for (const auto& f : msg)
      req_.headers.add(f.name_string(), f.value());
    client_.apply(req_, std::is_same_v<Stream, tls_stream>, ctx_);
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    route_ = http::route_class(req_.path);
    body_unread_ = !head_->is_done();
    if (ctx_.hooks.upgrade && is_websocket_upgrade(req_)) return upgrade();
    ctx_.hooks.handler->admit(req_, [self = this->shared_from_this()](http::body_plan plan) {
      asio::dispatch(self->stream_.get_executor(),
                     [self, p = std::move(plan)]() mutable { self->on_plan(std::move(p)); });
    });
  }

  void on_plan(http::body_plan plan) {
    if (phase_ == phase::closing) {  // closed meanwhile (shutdown): the sink gets its end
      if (plan.sink) plan.sink->abort();
      return;
    }
    const auto cl = head_->content_length();
    const auto head = make_body_head(
        req_, body_unread_, cl ? std::optional<std::uint64_t>(*cl) : std::nullopt, version_);
    const auto d = decide_body(plan, head, ctx_.opts.max_body_bytes);
    sink_.reset(std::move(plan.sink));
    using action = body_decision::action;
    switch (d.what) {
      case action::refuse:
        sink_.abort();
        return send(std::move(*plan.refusal), false);  // closes when a body was announced
      case action::too_large:
        sink_.abort();
        return send_error(core::wire_error::body_too_large, {}, route_);
      case action::none:
        head_.reset();
        return sink_.active() ? finish_sink(false) : handle_request();
      case action::buffer:
      case action::stream:
        break;
    }
    if (!d.send_continue) return read_body(d);
    lowest().expires_after(ctx_.opts.request_timeout);
    asio::async_write(stream_, asio::buffer(continue_line.data(), continue_line.size()),
                      [self = this->shared_from_this(), d](beast::error_code ec, std::size_t n) {
                        self->ctx_.response_bytes.inc(n);
                        if (ec) return self->close_now();
                        self->read_body(d);
                      });
  }

  // The body gets its own request timeout: the handler's admit may have taken a while.
  void read_body(const body_decision& d) {
    phase_ = phase::reading;
    lowest().expires_after(ctx_.opts.request_timeout);
    if (d.what == body_decision::action::stream) {
      stream_parser_.emplace(std::move(*head_));
      head_.reset();
      stream_parser_->body_limit(d.limit);
      fill_ = 0;
      return read_chunk();
    }
    parser_.emplace(std::move(*head_));
    head_.reset();
    parser_->body_limit(d.limit);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                        self->ctx_.request_bytes.inc(n);
                        if (ec) return self->on_read_error(ec, self->route_);
                        self->body_unread_ = false;
                        self->req_.body = std::move(self->parser_->get().body());
                        self->parser_.reset();
                        self->handle_request();
                      });
  }

  // Reads into the rest of the chunk buffer; each read that moves bytes re-arms the timer, so
  // a slow upload lives as long as it makes progress.
  void read_chunk() {
    auto& body = stream_parser_->get().body();
    body.data = io_buffer() + fill_;
    body.size = stream_chunk_bytes - fill_;
    lowest().expires_after(ctx_.opts.request_timeout);
    bhttp::async_read_some(stream_, buffer_, *stream_parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                             self->on_chunk(ec, n);
                           });
  }

  void on_chunk(beast::error_code ec, std::size_t n) {
    ctx_.request_bytes.inc(n);
    if (ec == bhttp::error::need_buffer) ec = {};  // the chunk buffer is full
    fill_ = stream_chunk_bytes - stream_parser_->get().body().size;
    if (ec) return on_read_error(ec, route_);  // aborts the sink
    const bool done = stream_parser_->is_done();
    if (fill_ == stream_chunk_bytes || (done && fill_ > 0)) return write_chunk();
    if (done) return finish_sink(false);
    read_chunk();
  }

  // The next chunk is read only once the sink is done with this one: a slow sink slows the
  // client (TCP back-pressure), and the session never holds more than one chunk.
  void write_chunk() {
    phase_ = phase::handling;
    sink_.write({io_buffer(), fill_}, [self = this->shared_from_this()](bool ok) {
      asio::dispatch(self->stream_.get_executor(), [self, ok] { self->on_chunk_written(ok); });
    });
  }

  void on_chunk_written(bool ok) {
    fill_ = 0;
    if (!sink_.written()) return;  // aborted meanwhile: the connection is closing
    if (!ok) return finish_sink(true);
    if (stream_parser_->is_done()) return finish_sink(false);
    phase_ = phase::reading;
    read_chunk();
  }

  void finish_sink(bool failed) {
    phase_ = phase::handling;
    if (stream_parser_) body_unread_ = !stream_parser_->is_done();
    stream_parser_.reset();
    sink_.finish(failed, respond_fn());
  }

  void handle_request() {
    phase_ = phase::handling;
    ctx_.hooks.handler->handle(req_, respond_fn());
  }

  // The handler's answer, from any thread, back on the strand.
  http::respond_fn respond_fn() {
    return [self = this->shared_from_this()](http::response res) {
      asio::dispatch(self->stream_.get_executor(),
                     [self, r = std::move(res)]() mutable { self->send(std::move(r), false); });
    };
  }

  char* io_buffer() {
    if (!io_) io_ = std::make_unique<char[]>(stream_chunk_bytes);
    return io_.get();
  }

  // Hands the stream to a WebSocket session, or refuses the upgrade with an HTTP answer.
  void upgrade() {
    if (body_unread_) {  // bytes after the handshake would be taken for WebSocket frames
      return send_error(core::wire_error::bad_request, "a WebSocket handshake has no body",
                        "realtime");
    }
    auto a = answer_upgrade(req_, draining_ || ctx_.draining.load(), ctx_.hooks.upgrade);
    if (a.refusal) return send(std::move(*a.refusal), true);
    ws_start start;
    start.session_id = std::exchange(id_, 0);  // the WebSocket session takes the slot over
    start.peer_ip = ip_;
    start.handshake = std::move(a.handshake);
    const auto pending = buffer_.data();
    start.leftover.assign(static_cast<const char*>(pending.data()), pending.size());
    start.endpoint = std::move(a.decision.endpoint);
    start.max_message = a.decision.max_message;
    ctx_.count_request("realtime", 101);
    phase_ = phase::closing;
    start_ws_session(std::move(stream_), ctx_, std::move(start));
  }

  /// Answers a refusal and closes; `message` empty: the table's.
  void send_error(core::wire_error e, std::string_view message, std::string_view route) {
    route_ = route;
    if (req_.method.empty()) req_.method = "-";
    send(http::make_error(e, message), true);
  }

  void send(http::response res, bool close_after) {
    if (phase_ == phase::writing || phase_ == phase::closing) return;  // answered already
    phase_ = phase::writing;
    // A body left unread on the wire would be taken for the next request: close after this one.
    close_after = close_after || body_unread_;
    res_ = std::move(res);
    if (ctx_.hooks.decorate) ctx_.hooks.decorate(res_, req_.tls);
    keep_alive_ = keep_alive_ && !close_after && !draining_ && !ctx_.draining.load();
    linger_ = close_after;
    sent_ = 0;
    lowest().expires_after(ctx_.opts.request_timeout);
    if (res_.stream_body) return send_stream_head();

    msg_.emplace();
    fill_head(*msg_);
    const auto body = res_.body_view();
    if (!no_body_status(res_.status)) {
      msg_->content_length(body.size());
      msg_->body() = bhttp::span_body<const char>::value_type(body.data(), body.size());
    }
    sr_.emplace(*msg_);
    auto done = [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      self->ctx_.response_bytes.inc(n);
      self->sent_ = n;
      self->complete_response(!ec);
    };
    if (res_.head_only || no_body_status(res_.status)) {
      bhttp::async_write_header(stream_, *sr_, std::move(done));
    } else {
      bhttp::async_write(stream_, *sr_, std::move(done));
    }
  }

  template <class Body>
  void fill_head(bhttp::response<Body>& m) const {
    m.result(res_.status);
    m.version(version_);
    for (const auto& [name, value] : res_.headers.fields())
      m.insert(name, value);
    m.keep_alive(keep_alive_);
  }

  // A body_source's answer: the header with its size as Content-Length, then the bytes one
  // chunk at a time (see stream_next).
  void send_stream_head() {
    head_msg_.emplace();
    fill_head(*head_msg_);
    const bool body = !res_.head_only && !no_body_status(res_.status);
    if (!no_body_status(res_.status)) head_msg_->content_length(res_.stream_body->size());
    head_sr_.emplace(*head_msg_);
    bhttp::async_write_header(
        stream_, *head_sr_,
        [self = this->shared_from_this(), body](beast::error_code ec, std::size_t n) {
          self->ctx_.response_bytes.inc(n);
          self->sent_ = n;
          if (ec || !body) return self->complete_response(!ec);
          self->streamed_ = 0;
          self->out_progress_ = false;
          self->unacked_.reset();
          self->lowest().expires_never();  // the watchdog times the body out
          self->arm_watchdog();
          self->stream_next();
        });
  }

  void stream_next() {
    const auto total = res_.stream_body->size();
    if (streamed_ >= total) return complete_response(true);
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(total - streamed_, stream_chunk_bytes));
    res_.stream_body->read({io_buffer(), want}, [self = this->shared_from_this(),
                                                 want](std::size_t n) {
      asio::dispatch(self->stream_.get_executor(), [self, n, want] { self->on_source(n, want); });
    });
  }

  void on_source(std::size_t n, std::size_t want) {
    if (phase_ == phase::closing) return;
    out_progress_ = true;
    // A read error (or a source breaking its contract): the promised length cannot be kept,
    // and only closing tells the client that the body is incomplete.
    if (n == 0 || n > want) return complete_response(false);
    out_done_ = 0;
    out_size_ = n;
    write_out();
  }

  void write_out() {
    stream_.async_write_some(
        asio::buffer(io_buffer() + out_done_, out_size_ - out_done_),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          self->ctx_.response_bytes.inc(n);
          self->sent_ += n;
          self->streamed_ += n;
          self->out_done_ += n;
          self->out_progress_ = true;
          if (ec) return self->complete_response(false);
          if (self->out_done_ < self->out_size_) return self->write_out();
          self->stream_next();
        });
  }

  // A streamed body times out on lack of progress: every request_timeout, something must have
  // moved (a write or a source read completed, or the peer acknowledged bytes). Not the stream's
  // per-write timer: the kernel wakes a blocked writer only once a third of its send buffer is
  // free, which a slow but steady reader may take longer than the timeout to read.
  void arm_watchdog() {
    watchdog_.expires_after(ctx_.opts.request_timeout);
    watchdog_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->phase_ != phase::writing || !self->res_.stream_body) return;
      const auto unsent = unacked_bytes(self->lowest().socket().native_handle());
      const bool acked = unsent && self->unacked_ && *unsent < *self->unacked_;
      self->unacked_ = unsent;
      if (!std::exchange(self->out_progress_, false) && !acked) return self->close_now();
      self->arm_watchdog();
    });
  }

  // The response is written (ok) or cannot be (closed now); counted and logged either way.
  void complete_response(bool ok) {
    ctx_.count_request(route_, res_.status);
    log_request(req_, res_.status, sent_, started_, client_.client_id());
    watchdog_.cancel();
    sr_.reset();
    msg_.reset();
    head_sr_.reset();
    head_msg_.reset();
    res_ = http::response{};  // releases a body_source (an open file) now
    if (!ok) return close_now();
    if (!keep_alive_) return graceful_close();
    wait_for_request();
  }

  // Half-close, then read and discard what the client still sends (bounded in bytes and time)
  // before closing: closing with unread input makes the kernel send RST, and the client may lose
  // the response it has not read yet.
  void graceful_close() {
    phase_ = phase::closing;
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      lowest().expires_after(linger_timeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
      if (ec || !linger_) return close_now();
      lowest().expires_after(linger_timeout);
      discard();
    }
  }

  void discard() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(idle_read_bytes),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > linger_max_bytes) {
                                return self->close_now();
                              }
                              self->discard();
                            });
  }

  void close_now() {
    phase_ = phase::closing;
    watchdog_.cancel();
    sink_.abort();  // a body cut short never completes (after the write in flight, if any)
    beast::error_code ec;
    lowest().socket().close(ec);
  }

  Stream stream_;
  server_context& ctx_;
  std::string ip_;  ///< admission key (see peer_info::limit_key)
  client_cache client_;
  unsigned reject_status_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> head_;     ///< the header, then handed on
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;  ///< a buffered body
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;  ///< a streamed one
  /// The one chunk of a streamed body (either way); allocated on first use, freed when idle.
  std::unique_ptr<char[]> io_;
  sink_slot sink_;  ///< after io_: a sink aborted by the destructor may still look at its chunk
  std::size_t fill_ = 0;  ///< request body bytes in io_
  std::size_t out_done_ = 0;
  std::size_t out_size_ = 0;            ///< response body bytes in io_, and how many are written
  std::uint64_t streamed_ = 0;          ///< response body bytes written
  std::uint64_t sent_ = 0;              ///< response bytes written (header included), for the log
  asio::steady_timer watchdog_;         ///< a streamed response's lack-of-progress timeout
  bool out_progress_ = false;           ///< a write or source read completed since the last tick
  std::optional<std::size_t> unacked_;  ///< bytes the peer had not acknowledged at the last tick
  /// The request announced body bytes that were not read (yet): the connection cannot be reused.
  bool body_unread_ = false;
  http::request req_;
  http::response res_;
  std::optional<bhttp::response<bhttp::span_body<const char>>> msg_;
  std::optional<bhttp::response_serializer<bhttp::span_body<const char>>> sr_;
  std::optional<bhttp::response<bhttp::empty_body>> head_msg_;  ///< a streamed response's header
  std::optional<bhttp::response_serializer<bhttp::empty_body>> head_sr_;
  std::string_view route_ = "static";
  phase phase_ = phase::idle;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool linger_ = false;
  bool draining_;
  std::size_t discarded_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

void start_http_session(asio::ip::tcp::socket socket, asio::ssl::context* ssl, server_context& ctx,
                        peer_info peer, unsigned reject_status) {
  if (reject_status != 0) {
    // Refusals are answered only while few are in flight; beyond, a flood is just closed.
    if (ctx.rejecting.fetch_add(1) >= ctx.opts.max_rejecting) {
      ctx.rejecting.fetch_sub(1);
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
  }
  beast::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  if (ssl != nullptr) {
    auto s = std::make_shared<http_session<tls_stream>>(
        tls_stream(beast::tcp_stream(std::move(socket)), *ssl), ctx, std::move(peer),
        reject_status);
    s->start();
  } else {
    auto s = std::make_shared<http_session<plain_stream>>(beast::tcp_stream(std::move(socket)), ctx,
                                                          std::move(peer), reject_status);
    s->start();
  }
}

}  // namespace hw::net
