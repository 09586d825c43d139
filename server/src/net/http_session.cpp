#include "net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>

#include "core/log.hpp"
#include "core/wire_errors.hpp"
#include "http/message.hpp"
#include "net/ws_session.hpp"
#include "protocol/websocket.hpp"

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

bool no_body_status(unsigned s) {
  return s < 200 || s == 204 || s == 304;
}

// True when `list` (a comma-separated header value) contains `token`, ignoring case.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (http::iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool is_websocket_upgrade(const http::request& r) {
  return r.method == "GET" && has_token(r.headers.get("connection"), "upgrade") &&
         http::iequals(r.headers.get("upgrade"), "websocket");
}

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
        peer_(peer.address),
        peer_text_(peer_.to_string()),
        trusted_peer_(peer.trusted_proxy),
        reject_status_(reject_status),
        buffer_(ctx.opts.max_header_bytes + (64UL << 10U)),
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
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.opts.max_header_bytes));
    parser_->body_limit(ctx_.opts.max_body_bytes);
    lowest().expires_after(ctx_.opts.request_timeout);
    // Header first: the body limit depends on the route (Engine.IO polling bodies may be as
    // large as its maxPayload).
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          if (ec) return self->on_read(ec, n);
          self->ctx_.request_bytes.inc(n);
          const auto target = self->parser_->get().target();
          if (target.starts_with("/socket.io/") || target.starts_with("/engine.io/")) {
            self->parser_->body_limit(self->ctx_.opts.max_realtime_body_bytes);
          }
          bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                            [self](beast::error_code e, std::size_t m) { self->on_read(e, m); });
        });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    ctx_.request_bytes.inc(n);
    if (ec == bhttp::error::header_limit) {
      return send_error(core::wire_error::header_too_large, {}, "static");
    }
    if (ec == bhttp::error::body_limit) {
      return send_error(core::wire_error::body_too_large, {}, "static");
    }
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return close_now();
    }
    if (ec) {
      // A parse error is the client's fault; anything else is the socket's.
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
        return send_error(core::wire_error::bad_request, {}, "static");
      }
      return close_now();
    }
    dispatch_request();
  }

  void dispatch_request() {
    phase_ = phase::handling;
    auto msg = parser_->release();
    parser_.reset();
    req_ = http::request{};
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    const auto q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    for (const auto& f : msg)
      req_.headers.add(f.name_string(), f.value());
    req_.body = std::move(msg.body());
    set_client();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    route_ = http::route_class(req_.path);
    if (ctx_.hooks.upgrade && is_websocket_upgrade(req_)) return upgrade();
    ctx_.hooks.handler->handle(req_, [self = this->shared_from_this()](http::response res) {
      asio::dispatch(self->stream_.get_executor(),
                     [self, r = std::move(res)]() mutable { self->send(std::move(r), false); });
    });
  }

  // The request's client and scheme: the TCP peer's, or from a trusted proxy the forwarded ones
  // (core::resolve_client). The hashed key is cached, so a direct client costs one hash per
  // connection and a proxy's keep-alive connection one per change of client.
  void set_client() {
    bool tls = std::is_same_v<Stream, tls_stream>;
    core::ip_address client = peer_;
    if (trusted_peer_) {
      std::vector<std::string_view> xff;
      for (const auto& [name, value] : req_.headers.fields()) {
        if (name == "x-forwarded-for") xff.push_back(value);
      }
      const auto eff =
          core::resolve_client(peer_, xff, req_.headers.get("x-forwarded-proto"), ctx_.trusted);
      client = eff.address;
      tls = eff.forwarded_tls.value_or(tls);
    }
    if (!has_client_ || !(client == client_)) {
      client_ = client;
      has_client_ = true;
      client_id_ = ctx_.hooks.client_id
                       ? ctx_.hooks.client_id(core::address_key(client, ctx_.opts.ipv6_prefix))
                       : std::string();
    }
    req_.tls = tls;
    req_.client_id = client_id_;
    req_.peer_ip = peer_text_;
  }

  // Hands the stream to a WebSocket session, or refuses the upgrade with an HTTP answer. The
  // whole handshake is validated before the hook is asked: the hook may create state (an
  // Engine.IO session) that only a WebSocket that really opens will ever release.
  void upgrade() {
    if (req_.headers.get("sec-websocket-version") != "13") {
      auto res = http::make_error(core::wire_error::upgrade_required);
      res.headers.set("sec-websocket-version", "13");
      return send(std::move(res), true);
    }
    const auto accept = protocol::ws::accept_key(req_.headers.get("sec-websocket-key"));
    if (accept.empty()) {
      return send_error(core::wire_error::bad_request, "invalid Sec-WebSocket-Key", "realtime");
    }
    if (draining_ || ctx_.draining.load()) {
      return send(http::make_error(core::wire_error::shutting_down), true);
    }
    auto decision = ctx_.hooks.upgrade(req_);
    if (!decision.endpoint) return send(std::move(decision.refusal), true);
    ws_start start;
    start.session_id = std::exchange(id_, 0);  // the WebSocket session takes the slot over
    start.peer_ip = ip_;
    start.handshake =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept + "\r\n\r\n";
    const auto pending = buffer_.data();
    start.leftover.assign(static_cast<const char*>(pending.data()), pending.size());
    start.endpoint = std::move(decision.endpoint);
    start.max_message = decision.max_message;
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
    res_ = std::move(res);
    if (ctx_.hooks.decorate) ctx_.hooks.decorate(res_, req_.tls);
    const bool keep = keep_alive_ && !close_after && !draining_ && !ctx_.draining.load();
    linger_ = close_after;

    msg_.emplace();
    msg_->result(res_.status);
    msg_->version(version_);
    for (const auto& [name, value] : res_.headers.fields())
      msg_->insert(name, value);
    const auto body = res_.body_view();
    if (!no_body_status(res_.status)) {
      msg_->content_length(body.size());
      msg_->body() = bhttp::span_body<const char>::value_type(body.data(), body.size());
    }
    msg_->keep_alive(keep);
    keep_alive_ = keep;
    sr_.emplace(*msg_);
    lowest().expires_after(ctx_.opts.request_timeout);
    auto done = [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_write(ec, n);
    };
    if (res_.head_only || no_body_status(res_.status)) {
      bhttp::async_write_header(stream_, *sr_, std::move(done));
    } else {
      bhttp::async_write(stream_, *sr_, std::move(done));
    }
  }

  void on_write(beast::error_code ec, std::size_t n) {
    ctx_.response_bytes.inc(n);
    ctx_.count_request(route_, res_.status);
    if (core::log::enabled(core::log::level::debug)) {
      const auto ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
              .count();
      core::log::debug("http_request", {{"method", req_.method},
                                        {"path", std::string_view(req_.path).substr(0, 256)},
                                        {"status", res_.status},
                                        {"bytes", n},
                                        {"duration_ms", ms},
                                        {"client", client_id_}});
    }
    sr_.reset();
    msg_.reset();
    res_ = http::response{};
    if (ec) return close_now();
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
    beast::error_code ec;
    lowest().socket().close(ec);
  }

  Stream stream_;
  server_context& ctx_;
  std::string ip_;  ///< admission key (see peer_info::limit_key)
  core::ip_address peer_;
  std::string peer_text_;
  bool trusted_peer_;
  core::ip_address client_;  ///< the last request's effective client
  bool has_client_ = false;
  std::string client_id_;
  unsigned reject_status_;
  std::uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  http::request req_;
  http::response res_;
  std::optional<bhttp::response<bhttp::span_body<const char>>> msg_;
  std::optional<bhttp::response_serializer<bhttp::span_body<const char>>> sr_;
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
