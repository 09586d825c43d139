#include "engineio/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>

#include "core/random.hpp"
#include "engineio/websocket_transport.hpp"
#include "http/path.hpp"

namespace hw::engineio {

namespace asio = boost::asio;

using http::query_param;

namespace {

std::string origin_of_host(const http::request& req) {
  return std::string(req.tls ? "https://" : "http://") + std::string(req.headers.get("host"));
}

/// Bridges one WebSocket connection to a session: a new session, the upgrade probe of a
/// polling session, or a redundant WebSocket that is closed as soon as it opens. Runs on the
/// connection's strand and hands the connection's events to its websocket_transport on the
/// session's strand.
class ws_bridge final : public net::ws_endpoint {
 public:
  enum class mode { fresh, probe, redundant };

  ws_bridge(std::shared_ptr<session> s, mode m, connection_fn* on_connection)
      : session_(std::move(s)), mode_(m), on_connection_(on_connection) {}

  ~ws_bridge() override {
    // A probe claim taken for a WebSocket that never opened is given back.
    if (mode_ == mode::probe && !opened_ && session_) session_->release_websocket_claim();
  }
  ws_bridge(const ws_bridge&) = delete;
  ws_bridge& operator=(const ws_bridge&) = delete;

  void on_open(std::shared_ptr<net::ws_connection> conn) override {
    opened_ = true;
    if (mode_ == mode::redundant) {
      conn->close(1000, {});
      return;
    }
    transport_ = std::make_shared<websocket_transport>(std::move(conn));
    if (mode_ == mode::probe) {
      asio::post(session_->executor(), [s = session_, t = transport_] { s->on_probe_open(t); });
      return;
    }
    asio::dispatch(session_->executor(),
                   [s = session_, t = transport_, f = on_connection_] { s->start(t, (*f)(s)); });
  }

  void on_message(std::string_view data, bool binary) override {
    if (mode_ == mode::redundant) return;
    // Held until the session has handled it: the hop to its strand is bounded too.
    asio::post(session_->executor(), [s = session_, t = transport_, d = std::string(data), binary,
                                      h = transport_->hold_input()] { t->on_message(d, binary); });
  }

  [[nodiscard]] std::size_t input_hold_limit() const override {
    // A redundant WebSocket has no session: it is closed as soon as it opens.
    return session_ ? session_->input_hold_limit() : net::ws_endpoint::input_hold_limit();
  }

  void on_close(std::uint16_t /*code*/) override {
    if (mode_ == mode::redundant) return;
    // Last call: give up the session and the transport so session → transport → connection →
    // bridge is not a cycle.
    auto s0 = std::move(session_);
    asio::post(s0->executor(), [s = s0, t = std::move(transport_)] {
      if (t) t->on_closed();  // null if it never opened
    });
  }

 private:
  std::shared_ptr<session> session_;  // keeps it alive while its events are on the way
  std::shared_ptr<websocket_transport> transport_;
  mode mode_;
  bool opened_ = false;
  connection_fn* on_connection_;
};

// The Content-Length of `req`, 0 when absent (net/ has checked its syntax).
std::uint64_t announced_length(const http::request& req) {
  const auto v = req.headers.get("content-length");
  std::uint64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

http::response shutting_down() {
  auto r = http::make_error(core::wire_error::shutting_down);
  r.headers.set("connection", "close");
  return r;
}

}  // namespace

http::response eio_error(int code) {
  static constexpr std::string_view messages[] = {
      "Transport unknown", "Session ID unknown", "Bad handshake method",
      "Bad request",       "Forbidden",          "Unsupported protocol version"};
  const auto msg = code >= 0 && code <= 5 ? messages[code] : std::string_view("Bad request");
  return http::make_text(
      code == 4 ? 403 : 400, "application/json",
      "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(msg) + "\"}");
}

server::server(asio::io_context& ioc, options opts, connection_fn on_connection,
               core::registry* metrics)
    : ioc_(ioc),
      opts_(std::move(opts)),
      on_connection_(std::move(on_connection)),
      per_client_(
          client_limits::config{.max_live = opts_.max_sessions_per_client,
                                .rate = opts_.handshake_rate,
                                .burst = opts_.handshake_burst,
                                .max_idle = std::max<std::size_t>(opts_.max_sessions, 1024)}) {
  if (metrics != nullptr) {
    sessions_gauge_ = &metrics->get_gauge("hallway_engineio_sessions", "Open Engine.IO sessions");
    const char* help = "Engine.IO handshakes refused by a per-address limit";
    refused_per_client_ = &metrics->get_counter("hallway_engineio_handshakes_refused_total", help,
                                                {{"reason", "max_sessions_per_ip"}});
    refused_rate_ = &metrics->get_counter("hallway_engineio_handshakes_refused_total", help,
                                          {{"reason", "handshake_rate"}});
    // Every reason is registered up front, so a scrape shows its zero before the first close.
    for (const auto& r : close_reasons) {
      closes_[static_cast<std::size_t>(r.reason)] = &metrics->get_counter(
          "hallway_engineio_closes_total",
          "Engine.IO sessions closed, by reason (upgrade_timeout: an upgrade probe given up, "
          "its session stays on polling)",
          {{"reason", std::string(r.name)}});
    }
  }
}

server::~server() {
  // Runs after the I/O threads stopped: nothing else touches the sessions any more.
  for (auto& [id, s] : sessions_)
    s->abandon();
}

std::size_t server::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::shared_ptr<session> server::find(const std::string& sid) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(sid);
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<session> server::create(const http::request& req, http::response& refusal) {
  if (draining_.load()) {
    refusal = shutting_down();
    return nullptr;
  }
  switch (per_client_.acquire(req.client_id)) {
    case client_limits::verdict::ok:
      break;
    case client_limits::verdict::over_live:
      if (refused_per_client_) refused_per_client_->inc();
      refusal = http::make_error(core::wire_error::too_many_sessions);
      return nullptr;
    case client_limits::verdict::over_rate:
      if (refused_rate_) refused_rate_->inc();
      refusal = http::make_error(core::wire_error::rate_limited);
      refusal.headers.set("retry-after", "1");
      return nullptr;
  }
  std::shared_ptr<session> s;
  bool draining = false;
  {
    std::lock_guard lock(mutex_);
    // Checked again under the lock drain() takes: no session slips in after its snapshot.
    draining = draining_.load();
    if (!draining && sessions_.size() < opts_.max_sessions) {
      std::string sid = core::random_token(20);  // 120 bits
      s = std::make_shared<session>(
          asio::make_strand(ioc_), sid, opts_,
          [this, key = req.client_id](const std::string& id) {
            std::unique_lock l(mutex_);
            if (sessions_.erase(id) == 0) return;
            if (sessions_gauge_) sessions_gauge_->add(-1);
            l.unlock();
            per_client_.release(key);
          },
          [this](close_reason why) {
            if (auto* c = closes_[static_cast<std::size_t>(why)]) c->inc();
          });
      sessions_.emplace(std::move(sid), s);
      if (sessions_gauge_) sessions_gauge_->add(1);
    }
  }
  if (!s) {
    per_client_.release(req.client_id);
    refusal = draining ? shutting_down() : http::make_error(core::wire_error::server_busy);
    return nullptr;
  }
  // Second line of defence: a session nobody starts a transport on is ended.
  asio::dispatch(s->executor(), [s] { s->watch_start(); });
  return s;
}

void server::drain() {
  std::vector<std::shared_ptr<session>> all;
  {
    std::lock_guard lock(mutex_);
    draining_.store(true);
    all.reserve(sessions_.size());
    for (auto& [id, s] : sessions_)
      all.push_back(s);
  }
  for (auto& s : all)
    s->close(close_reason::server_shutdown);
}

bool server::origin_ok(const http::request& req) const {
  const auto origin = req.headers.get("origin");
  if (origin.empty()) return true;  // not a browser: CORS and CSWSH do not apply
  if (origin == origin_of_host(req)) return true;
  for (const auto& o : opts_.allowed_origins) {
    if (o == "*" || o == origin) return true;
  }
  return false;
}

void server::add_cors(const http::request& req, http::response& res) const {
  const auto origin = req.headers.get("origin");
  if (origin.empty() || !origin_ok(req)) return;
  const bool any = opts_.allowed_origins.size() == 1 && opts_.allowed_origins[0] == "*";
  res.headers.set("access-control-allow-origin", any ? std::string_view("*") : origin);
  if (!any) res.headers.set("access-control-allow-credentials", "true");
  res.headers.set("vary", "Origin");
}

void server::admit(const http::request& head, http::plan_fn decide) {
  http::body_plan plan;
  plan.limit = opts_.max_payload;
  // A polling POST announcing more than a payload is refused before it is read; as with a body
  // found too large once read (polling_transport), the session it names ends with it.
  if (head.method == "POST" && announced_length(head) > opts_.max_payload &&
      query_param(head.query, "EIO") == "4" && query_param(head.query, "transport") == "polling" &&
      origin_ok(head)) {
    if (auto s = find(query_param(head.query, "sid"))) {
      s->close(close_reason::transport_error);
      plan.refusal = http::make_error(core::wire_error::payload_too_large);
      add_cors(head, *plan.refusal);
    }
  }
  decide(std::move(plan));
}

void server::handle(const http::request& req, http::respond_fn respond) {
  auto reply = [&](http::response r) {
    add_cors(req, r);
    respond(std::move(r));
  };
  if (query_param(req.query, "EIO") != "4") return reply(eio_error(5));
  const auto transport = query_param(req.query, "transport");
  if (transport != "polling" && transport != "websocket") return reply(eio_error(0));
  if (!origin_ok(req)) return reply(eio_error(4));
  if (req.method == "OPTIONS") {
    http::response r;
    r.status = 204;
    r.headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
    r.headers.set("access-control-allow-headers", "Content-Type");
    return reply(std::move(r));
  }
  if (transport != "polling") return reply(eio_error(3));  // websocket needs an upgrade
  const auto sid = query_param(req.query, "sid");

  http::response base;
  add_cors(req, base);
  base.headers.set("cache-control", "no-store");
  if (sid.empty()) {
    if (req.method != "GET") return reply(eio_error(2));
    http::response refusal;
    auto s = create(req, refusal);
    if (!s) return reply(std::move(refusal));
    // The handshake GET is the session's first poll: it carries the open packet.
    asio::dispatch(s->executor(),
                   [this, s, respond = std::move(respond), base = std::move(base)]() mutable {
                     s->start_polling(on_connection_(s));
                     s->on_poll(std::move(respond), std::move(base));
                   });
    return;
  }
  auto s = find(sid);
  if (!s) return reply(eio_error(1));
  if (req.method == "GET") {
    asio::dispatch(s->executor(),
                   [s, respond = std::move(respond), base = std::move(base)]() mutable {
                     s->on_poll(std::move(respond), std::move(base));
                   });
  } else if (req.method == "POST") {
    asio::dispatch(s->executor(), [s, body = req.body, respond = std::move(respond),
                                   base = std::move(base)]() mutable {
      s->on_post(body, respond, std::move(base));
    });
  } else {
    reply(eio_error(3));
  }
}

net::upgrade_decision server::upgrade(const http::request& req) {
  net::upgrade_decision d;
  d.max_message = opts_.max_payload;
  auto refuse = [&](http::response r) {
    d.refusal = std::move(r);
    return d;
  };
  if (query_param(req.query, "EIO") != "4") return refuse(eio_error(5));
  if (query_param(req.query, "transport") != "websocket") return refuse(eio_error(0));
  if (!origin_ok(req)) return refuse(eio_error(4));
  if (draining_.load()) return refuse(shutting_down());
  const auto sid = query_param(req.query, "sid");
  if (sid.empty()) {
    http::response refusal;
    auto s = create(req, refusal);
    if (!s) return refuse(std::move(refusal));
    d.endpoint = std::make_shared<ws_bridge>(std::move(s), ws_bridge::mode::fresh, &on_connection_);
    return d;
  }
  auto s = find(sid);
  if (!s) return refuse(eio_error(1));
  // One WebSocket per session: the first probes, any other is accepted and closed.
  const auto m = s->try_claim_websocket() ? ws_bridge::mode::probe : ws_bridge::mode::redundant;
  d.endpoint = std::make_shared<ws_bridge>(m == ws_bridge::mode::probe ? std::move(s) : nullptr, m,
                                           &on_connection_);
  return d;
}

}  // namespace hw::engineio
