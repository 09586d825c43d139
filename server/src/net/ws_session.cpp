#include "net/ws_session.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <cstring>
#include <deque>
#include <vector>

#include "protocol/websocket.hpp"

namespace hw::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = protocol::ws;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr std::size_t initial_read_bytes = 4096;
constexpr std::size_t max_frames_per_write = 64;  // bounds the gather list of one write

/// One WebSocket connection (RFC 6455, framed by protocol/websocket). Reads frames and hands
/// messages to the endpoint; writes every queued frame in one gathered write. All state is on
/// the stream's strand except `queued_` and `closed_`, which send() reads from any thread.
template <class Stream>
class ws_session final : public session_base,
                         public ws_connection,
                         public std::enable_shared_from_this<ws_session<Stream>> {
 public:
  ws_session(Stream stream, server_context& ctx, ws_start start)
      : stream_(std::move(stream)),
        ctx_(ctx),
        start_(std::move(start)),
        parser_(start_.max_message),
        over_timer_(stream_.get_executor()),
        close_timer_(stream_.get_executor()) {
    rbuf_.resize(std::max(initial_read_bytes, start_.leftover.size() + initial_read_bytes));
    std::memcpy(rbuf_.data(), start_.leftover.data(), start_.leftover.size());
    rlen_ = start_.leftover.size();
    start_.leftover.clear();
  }

  ~ws_session() override {
    if (start_.session_id != 0) ctx_.remove_session(start_.session_id, start_.peer_ip);
    ctx_.websocket_connections.add(-1);
  }

  ws_session(const ws_session&) = delete;
  ws_session& operator=(const ws_session&) = delete;

  void start() {
    hold_limit_ = std::max<std::size_t>(2, start_.endpoint->input_hold_limit());
    ctx_.replace_session(start_.session_id, this->weak_from_this());
    ctx_.websocket_connections.add(1);
    // Liveness is the Engine.IO heartbeat's job; a stuck writer is the send queue's.
    beast::get_lowest_layer(stream_).expires_never();
    enqueue_raw(std::make_shared<const std::string>(std::move(start_.handshake)));
    start_.endpoint->on_open(this->shared_from_this());
    if (rlen_ > 0) {
      process();
    } else {
      read();
    }
  }

  // ws_connection
  send_result send(std::shared_ptr<const std::string> payload, bool binary,
                   bool droppable) override {
    if (closed_.load(std::memory_order_acquire)) return send_result::closed;
    const std::size_t size = payload->size() + ws::header_size(payload->size());
    const std::size_t queued = queued_.load(std::memory_order_relaxed);
    if (droppable && queued + size > ctx_.opts.send_queue_bytes / 4) {
      ctx_.ws_dropped.inc();
      return send_result::dropped;
    }
    if (queued + size > 4 * ctx_.opts.send_queue_bytes) {
      // Far over the bound: refuse at once, so a producer emitting in a loop stops growing the
      // queue before the connection's strand gets to close it.
      closed_.store(true, std::memory_order_release);
      asio::dispatch(stream_.get_executor(),
                     [self = this->shared_from_this()] { self->slow_reader(); });
      return send_result::closed;
    }
    queued_.fetch_add(size, std::memory_order_relaxed);
    ctx_.ws_messages_out.inc();
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this(), p = std::move(payload), binary]() mutable {
                     self->enqueue(std::move(p), binary ? ws::opcode::binary : ws::opcode::text);
                   });
    return send_result::queued;
  }

  void close(std::uint16_t code, std::string_view reason) override {
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this(), code, r = std::string(reason)] {
                     self->begin_close(code, r);
                   });
  }

  [[nodiscard]] std::size_t queued_bytes() const override {
    return queued_.load(std::memory_order_relaxed);
  }

  input_hold hold_input() override {
    held_.fetch_add(1);
    return std::make_shared<hold_token>(this->shared_from_this());
  }

  // session_base
  void drain() override { close(ws::close_code::going_away, "server shutting down"); }
  void force_close() override {
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this()] { self->terminate(1006); });
  }

 private:
  /// One held message: released when the last copy of the token goes.
  class hold_token {
   public:
    explicit hold_token(std::shared_ptr<ws_session> s) : s_(std::move(s)) {}
    ~hold_token() { s_->release_input(); }
    hold_token(const hold_token&) = delete;
    hold_token& operator=(const hold_token&) = delete;

   private:
    std::shared_ptr<ws_session> s_;
  };

  // ---- input backpressure (hold_input). `held_` and `input_paused_` are touched on any thread;
  // the reader sets input_paused_ before it re-checks held_, a releaser decrements held_ before
  // it checks input_paused_ (both sequentially consistent), so a stop is always seen by the
  // release that should end it.

  // On the strand, before each frame: true when the reader must stop until released.
  bool input_full() {
    if (held_.load() < hold_limit_) return false;
    input_paused_.store(true);
    if (held_.load() >= hold_limit_) {
      input_stopped_ = true;
      return true;
    }
    input_paused_.store(false);  // released meanwhile; a resume queued by then is a no-op
    return false;
  }

  void release_input() {
    const std::size_t left = held_.fetch_sub(1) - 1;
    if (left <= hold_limit_ / 2 && input_paused_.exchange(false)) {
      asio::dispatch(stream_.get_executor(),
                     [self = this->shared_from_this()] { self->resume_input(); });
    }
  }

  // Reads again: the frames still buffered, then the socket. Also when our close frame is
  // queued, so that the client's unread input is discarded (see process()).
  void resume_input() {
    if (!input_stopped_ || terminated_) return;
    input_stopped_ = false;
    process();
  }

  struct frame {
    unsigned char header[10];
    std::size_t header_len = 0;  // 0: raw bytes (the handshake), not a frame
    std::shared_ptr<const std::string> payload;
  };

  void read() {
    if (rlen_ == rbuf_.size()) {
      // A frame larger than the buffer: grow up to the largest acceptable frame.
      const std::size_t cap = start_.max_message + 14 + initial_read_bytes;
      if (rbuf_.size() >= cap) {
        parse_failed_ = true;  // cannot happen with a sane parser; discard from here on
        rlen_ = 0;
        fail(ws::close_code::too_big);
      } else {
        rbuf_.resize(std::min(cap, rbuf_.size() * 2));
      }
    }
    stream_.async_read_some(asio::buffer(rbuf_.data() + rlen_, rbuf_.size() - rlen_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->terminate(1006);
                              self->rlen_ += n;
                              self->process();
                            });
  }

  // Parses every complete frame in the buffer, then reads more. After our close frame went out
  // it keeps reading (messages are discarded) until the peer's close frame or EOF: closing the
  // socket with unread input makes the kernel send RST, which discards what we queued before it
  // (the client would see a dropped connection instead of our last packets and close frame).
  void process() {
    std::size_t off = 0;
    bool more = true;
    while (more && !terminated_ && !peer_closed_ && !parse_failed_) {
      if (!sent_close_ && input_full()) break;  // after our close frame input is discarded
      ws::event ev;
      const std::size_t used = parser_.parse(rbuf_.data() + off, rlen_ - off, ev);
      off += used;
      switch (ev.kind) {
        case ws::event::message:
          ctx_.ws_messages_in.inc();
          if (!sent_close_) start_.endpoint->on_message(ev.payload, ev.binary);
          break;
        case ws::event::ping:
          enqueue(std::make_shared<const std::string>(ev.payload), ws::opcode::pong);
          break;
        case ws::event::pong:
          break;
        case ws::event::close:
          peer_closed_ = true;
          if (close_code_ == 0) close_code_ = ev.code;
          begin_close(ev.code == ws::close_code::no_status ? ws::close_code::normal : ev.code, {});
          if (close_written_) terminate(close_code_);  // the handshake is complete
          break;
        case ws::event::error:
          parse_failed_ = true;  // the parser is unusable: discard input until the peer closes
          fail(ev.code);
          break;
        case ws::event::need_more:
          more = used > 0;
          break;  // a fragment may have been consumed
      }
    }
    if (terminated_) return;
    if (parse_failed_) off = rlen_;
    if (off > 0) {
      std::memmove(rbuf_.data(), rbuf_.data() + off, rlen_ - off);
      rlen_ -= off;
    }
    shrink_read_buffer();
    if (!peer_closed_ && !input_stopped_) read();  // else: wait for our close frame / a release
  }

  // A large message grew the buffer; a connection should not keep that memory once the bytes
  // pending are fewer (keeping one byte pending must not keep a megabyte). Half-empty is the
  // threshold, so a buffer that grows for a large frame is not shrunk while it fills.
  void shrink_read_buffer() {
    const std::size_t needed = std::max(initial_read_bytes, rlen_ + initial_read_bytes);
    if (rbuf_.size() <= 2 * needed) return;
    std::vector<char> smaller(needed);
    std::memcpy(smaller.data(), rbuf_.data(), rlen_);
    rbuf_.swap(smaller);
  }

  // NOLINTNEXTLINE(performance-unnecessary-value-param): moved into the queue (tidy misreads it)
  void enqueue_raw(std::shared_ptr<const std::string> bytes) {
    queued_.fetch_add(bytes->size(), std::memory_order_relaxed);
    frame f;
    f.payload = std::move(bytes);
    queue_.push_back(std::move(f));
    write();
  }

  // NOLINTNEXTLINE(performance-unnecessary-value-param): moved into the queue
  void enqueue(std::shared_ptr<const std::string> payload, ws::opcode op) {
    const std::size_t size = payload->size() + ws::header_size(payload->size());
    const bool counted = op == ws::opcode::text || op == ws::opcode::binary;  // by send()
    if (sent_close_ || terminated_) {
      if (counted) queued_.fetch_sub(size, std::memory_order_relaxed);
      return;
    }
    if (!counted) queued_.fetch_add(size, std::memory_order_relaxed);
    frame f;
    f.header_len = ws::write_header(f.header, op, payload->size());
    f.payload = std::move(payload);
    queue_.push_back(std::move(f));
    check_queue_bound();
    write();
  }

  void check_queue_bound() {
    const std::size_t q = queued_.load(std::memory_order_relaxed);
    const std::size_t bound = ctx_.opts.send_queue_bytes;
    if (q <= bound) {
      if (over_) over_timer_.cancel();
      over_ = false;
      return;
    }
    if (q > 4 * bound) return slow_reader();
    if (over_) return;
    over_ = true;
    over_timer_.expires_after(ctx_.opts.send_queue_grace);
    over_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec && self->over_) self->slow_reader();
    });
  }

  void slow_reader() {
    if (terminated_) return;
    ctx_.slow_readers_closed.inc();
    terminate(ws::close_code::policy);
  }

  void write() {
    if (writing_ || queue_.empty() || terminated_) return;
    writing_ = true;
    buffers_.clear();
    in_flight_ = std::min(queue_.size(), max_frames_per_write);
    for (std::size_t i = 0; i < in_flight_; ++i) {
      const frame& f = queue_[i];
      if (f.header_len > 0) buffers_.emplace_back(f.header, f.header_len);
      buffers_.emplace_back(f.payload->data(), f.payload->size());
    }
    asio::async_write(stream_, buffers_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                        self->on_write(ec, n);
                      });
  }

  void on_write(beast::error_code ec, std::size_t n) {
    writing_ = false;
    if (ec) return terminate(1006);
    queued_.fetch_sub(n, std::memory_order_relaxed);
    for (std::size_t i = 0; i < in_flight_; ++i)
      queue_.pop_front();
    in_flight_ = 0;
    check_queue_bound();
    if (!queue_.empty()) return write();
    if (sent_close_) close_written();
  }

  // Everything we queued, the close frame last, is written: half-close (FIN after our data) and
  // close once the peer has answered with its close frame, or EOF, or the close timer fired.
  void close_written() {
    if (close_written_ || terminated_) return;
    close_written_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec || peer_closed_) terminate(close_code_);
  }

  void begin_close(std::uint16_t code, const std::string& reason) {
    if (sent_close_ || terminated_) return;
    if (close_code_ == 0) close_code_ = code;
    enqueue(std::make_shared<const std::string>(ws::close_payload(code, reason)),
            ws::opcode::close);
    sent_close_ = true;
    closed_.store(true, std::memory_order_release);
    if (input_stopped_) {
      // Paused for backpressure: read again, to discard what the client still sends.
      asio::post(stream_.get_executor(),
                 [self = this->shared_from_this()] { self->resume_input(); });
    }
    // Don't wait forever for a peer that never reads its close frame or never answers it.
    close_timer_.expires_after(std::chrono::seconds(2));
    close_timer_.async_wait([self = this->shared_from_this()](beast::error_code e) {
      if (!e) self->terminate(self->close_code_);
    });
  }

  void fail(std::uint16_t code) { begin_close(code, {}); }

  // Ends the connection now and tells the endpoint, once.
  void terminate(std::uint16_t code) {
    if (terminated_) return;
    terminated_ = true;
    closed_.store(true, std::memory_order_release);
    if (close_code_ == 0) close_code_ = code;
    over_timer_.cancel();
    close_timer_.cancel();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).socket().close(ec);
    start_.endpoint->on_close(close_code_);
  }

  Stream stream_;
  server_context& ctx_;
  ws_start start_;
  ws::frame_parser parser_;
  std::vector<char> rbuf_;
  std::size_t rlen_ = 0;
  std::deque<frame> queue_;
  std::vector<asio::const_buffer> buffers_;
  std::size_t in_flight_ = 0;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> closed_{false};
  asio::steady_timer over_timer_;
  asio::steady_timer close_timer_;
  bool over_ = false;
  bool writing_ = false;
  bool sent_close_ = false;     // our close frame is queued: nothing else is sent
  bool close_written_ = false;  // and written: our side is half-closed
  bool peer_closed_ = false;    // the peer's close frame arrived: nothing else is read
  bool parse_failed_ = false;   // a protocol error: input is discarded until EOF
  bool terminated_ = false;
  std::atomic<std::size_t> held_{0};
  std::atomic<bool> input_paused_{false};
  std::size_t hold_limit_ = 64;
  bool input_stopped_ = false;  // not reading because of held_ (strand)
  std::uint16_t close_code_ = 0;
};

template <class Stream>
void start(Stream stream, server_context& ctx, ws_start s) {
  auto session = std::make_shared<ws_session<Stream>>(std::move(stream), ctx, std::move(s));
  session->start();
}

}  // namespace

void start_ws_session(beast::tcp_stream stream, server_context& ctx, ws_start s) {
  start(std::move(stream), ctx, std::move(s));
}

void start_ws_session(tls_stream stream, server_context& ctx, ws_start s) {
  start(std::move(stream), ctx, std::move(s));
}

}  // namespace hw::net
