#include "socketio/client.hpp"

#include "core/random.hpp"
#include "core/wire_errors.hpp"
#include "socketio/packets.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

namespace hw::socketio {

namespace asio = boost::asio;
namespace sio = protocol::sio;
namespace json = boost::json;

namespace {
/// The first character of an encoded CONNECT packet (its type).
constexpr char connect_type = '0' + static_cast<char>(sio::packet_type::connect);
}  // namespace

std::string random_id() {
  return core::random_token(20);
}

client::client(server& srv, connection_ptr conn)
    : srv_(srv),
      conn_(std::move(conn)),
      partial_timer_(conn_->executor()),
      connect_timer_(conn_->executor()) {}

void client::start() {
  connect_timer_.expires_after(srv_.opts().connect_timeout);
  connect_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (!ec && self && self->sockets_.empty() && self->conn_) self->conn_->close("connect timeout");
  });
}

void client::fail(std::string_view reason) {
  if (conn_) conn_->close(std::string(reason));
}

void client::send(engineio::outgoing msg) {
  if (conn_) conn_->send(std::move(msg));
}

void client::on_message(std::string_view data, bool binary) {
  if (closed_) return;
  if (binary) return on_attachment(data);
  on_text(data);
}

void client::on_attachment(std::string_view data) {
  if (!partial_) return fail("parse error");  // an attachment nobody announced
  partial_bytes_ += data.size();
  if (partial_bytes_ > srv_.opts().max_attachment_bytes) return fail("parse error");
  partial_bin_.push_back(std::make_shared<const std::string>(data));
  if (partial_bin_.size() < partial_->attachments) return;
  partial_timer_.cancel();
  auto p = std::move(*partial_);
  partial_.reset();
  partial_bytes_ = 0;
  auto bin = std::move(partial_bin_);
  partial_bin_.clear();
  on_packet(p, std::move(bin));
}

void client::on_text(std::string_view data) {
  if (partial_) return fail("parse error");  // text while attachments are expected
  if (!data.empty() && data[0] == connect_type && data.size() > srv_.opts().max_connect_bytes) {
    // Refused before it is parsed: an auth payload is small, and a parsed one would be kept.
    if (!refuse_large_connect(data)) fail("parse error");
    return;
  }
  sio::packet p;
  sio::decode_limits lim;
  lim.max_attachments = srv_.opts().max_attachments;
  if (sio::decode(data, p, lim) != sio::decode_error::none) return fail("parse error");
  const bool binary_type =
      p.type == sio::packet_type::binary_event || p.type == sio::packet_type::binary_ack;
  if (binary_type && p.attachments > 0) {
    if (!sio::placeholders_valid(p.data, p.attachments)) return fail("parse error");
    partial_ = std::move(p);
    partial_bytes_ = 0;
    const auto seq = ++partial_seq_;
    partial_timer_.expires_after(srv_.opts().attachment_timeout);
    partial_timer_.async_wait([w = weak_from_this(), seq](boost::system::error_code ec) {
      auto self = w.lock();
      if (ec || !self || !self->partial_ || self->partial_seq_ != seq) return;
      self->fail("parse error");  // announced attachments that never came
    });
    return;
  }
  on_packet(p, {});
}

bool client::refuse_large_connect(std::string_view data) {
  // "0" [ "/" nsp "," ] payload: only a namespace that exists is named in the answer (it is a
  // known-valid name, so nothing the client chose is echoed).
  std::string_view nsp = "/";
  if (data.size() > 1 && data[1] == '/') {
    const auto comma = data.find(',');
    if (comma == std::string_view::npos) return false;
    nsp = data.substr(1, comma - 1);
  }
  namespace_* n = srv_.find(nsp);
  if (n == nullptr) return false;
  send(connect_error_packet(
      n->name(), json::object{{"message", "CONNECT payload too large"},
                              {"data",
                               {{"code", core::code(core::wire_error::payload_too_large)},
                                {"maxBytes", srv_.opts().max_connect_bytes}}}}));
  return true;
}

void client::on_packet(sio::packet& p, attachments bin) {
  switch (p.type) {
    case sio::packet_type::connect:
      return connect(p);
    case sio::packet_type::disconnect: {
      auto it = sockets_.find(p.nsp);
      if (it == sockets_.end()) return fail("invalid state");  // as socket.io: close
      drop(it->second, "client namespace disconnect");
      return;
    }
    case sio::packet_type::event:
    case sio::packet_type::binary_event:
      return on_event(p, std::move(bin));
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack:
      return on_ack(p, std::move(bin));
    case sio::packet_type::connect_error:
      return fail("parse error");  // server-only packet
  }
}

void client::on_event(sio::packet& p, attachments bin) {
  auto it = sockets_.find(p.nsp);
  if (it == sockets_.end()) return fail("invalid state");  // socket.io closes too
  auto sock = it->second;
  auto& arr = p.data.as_array();
  const std::string name =
      arr[0].is_string() ? std::string(arr[0].as_string()) : json::serialize(arr[0]);
  const event_handler* handler = sock->nsp().handler(name);
  if (handler == nullptr) return;
  event_args args;
  args.args = json::array(arr.begin() + 1, arr.end());
  args.bin = std::move(bin);
  (*handler)(sock, args, p.id ? make_ack(p.nsp, *p.id) : ack_fn{});
}

ack_fn client::make_ack(const std::string& nsp, std::uint64_t id) {
  // Called on any strand (the application answers where it likes), at most once.
  auto done = std::make_shared<std::atomic<bool>>(false);
  return [conn = std::weak_ptr(conn_), nsp, id, done](event_args reply) {
    if (done->exchange(true)) return;
    if (auto c = conn.lock()) c->send(ack_packet(nsp, id, std::move(reply)));
  };
}

void client::on_ack(sio::packet& p, attachments bin) {
  auto it = sockets_.find(p.nsp);
  if (it == sockets_.end()) return fail("invalid state");
  if (!p.id) return;
  event_args args;
  if (p.data.is_array()) args.args = std::move(p.data.as_array());
  args.bin = std::move(bin);
  it->second->on_ack(*p.id, std::move(args));
}

void client::connect(sio::packet& p) {
  namespace_* nsp = srv_.find(p.nsp);
  if (nsp == nullptr) {
    return send(connect_error_packet(p.nsp, json::object{{"message", "Invalid namespace"}}));
  }
  if (sockets_.count(p.nsp) != 0) return;  // already connected: nothing to do
  json::object auth = p.has_data && p.data.is_object() ? p.data.as_object() : json::object{};
  const bool recovery = srv_.opts().recovery_window.count() > 0;
  if (recovery && recover(*nsp, auth)) return;
  auth.erase("pid");
  auth.erase("offset");
  auto sock = std::make_shared<socket>(*nsp, random_id(), recovery ? random_id() : std::string(),
                                       std::move(auth));
  run_middleware(sock, nsp, 0);
}

bool client::recover(namespace_& nsp, const json::object& auth) {
  const auto* pid = auth.if_contains("pid");
  if (pid == nullptr || !pid->is_string()) return false;
  auto old = srv_.take_recoverable(std::string(pid->as_string()));
  if (!old) return false;
  std::uint64_t offset = 0;
  if (const auto* off = auth.if_contains("offset"); off != nullptr && off->is_string()) {
    const auto& s = off->as_string();
    std::from_chars(s.data(), s.data() + s.size(), offset);
  }
  // Registered first: the resumed socket must be this client's while it replays.
  auto result = socket::resume_result::ended;
  if (&old->nsp() == &nsp) {
    sockets_[nsp.name()] = old;
    result = old->resume(conn_, shared_from_this(), offset);
  }
  if (result == socket::resume_result::resumed) {
    connect_timer_.cancel();
    nsp.connected(old);
    return true;
  }
  // Taken out of the recovery map but not resumed (disconnected meanwhile, another namespace's
  // pid, or too much missed to replay): it ends here.
  if (auto it = sockets_.find(nsp.name()); it != sockets_.end() && it->second == old) {
    sockets_.erase(it);
  }
  old->nsp().rooms().remove(old->id());
  old->finish();
  if (result == socket::resume_result::ended) return false;  // a new socket instead
  connect_timer_.cancel();
  fail("recovery failed");  // the client starts a new session
  return true;
}

void client::run_middleware(const socket_ptr& s, namespace_* nsp, std::size_t i) {
  if (closed_) return;
  if (i == nsp->middleware_count()) return accept(s, nsp);
  auto next = [w = weak_from_this(), s, nsp, i,
               ex = conn_->executor()](std::optional<json::object> err) {
    asio::dispatch(ex, [w, s, nsp, i, err = std::move(err)]() mutable {
      auto self = w.lock();
      if (!self || self->closed_) return;
      if (err) return self->send(connect_error_packet(nsp->name(), std::move(*err)));
      self->run_middleware(s, nsp, i + 1);
    });
  };
  nsp->run_middleware(i, s, std::move(next));
}

void client::accept(const socket_ptr& s, namespace_* nsp) {
  if (sockets_.count(nsp->name()) != 0) return;
  nsp->rooms().add(s);
  (void)s->attach(conn_, shared_from_this());  // a new socket: nobody disconnected it
  sockets_[nsp->name()] = s;
  connect_timer_.cancel();
  send(connect_packet(nsp->name(), s->id(), s->pid()));
  nsp->connected(s);
  s->release_auth();  // read by the middleware and the connection handler; not kept after
}

// `s` by value: it may be the map's own copy, erased below.
void client::drop(socket_ptr s,  // NOLINT(performance-unnecessary-value-param)
                  std::string_view reason) {
  auto it = sockets_.find(s->nsp().name());
  if (it == sockets_.end() || it->second != s) return;
  sockets_.erase(it);
  // Gone for good: not kept for recovery, its buffer and acks released now (the app may still
  // hold the socket object for a while).
  srv_.forget_recoverable(s->pid());
  s->finish();
  s->nsp().rooms().remove(s->id());
  s->nsp().disconnected(s, reason);
}

void client::on_close(std::string_view reason) {
  closed_ = true;
  connect_timer_.cancel();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  partial_timer_.cancel();
  partial_.reset();
  partial_bin_ = {};
  for (auto& [name, s] : sockets) {
    s->fail_acks();
    // Kept for the recovery window: same id, same rooms, packets buffered (unless the server
    // disconnected it meanwhile, or the recovery budget has no room for it).
    if (s->detach() && srv_.keep_for_recovery(s)) {
      s->arm_expiry([srv = &srv_, w = std::weak_ptr(s), pid = s->pid()] {
        auto sock = w.lock();
        if (!sock || sock->connected()) return;
        // Only if still in the map: a recovering connection may have taken it meanwhile.
        if (srv->take_recoverable(pid) != sock) return;
        sock->nsp().rooms().remove(sock->id());
        sock->finish();  // whoever still holds the object holds no buffer
      });
    } else {
      s->nsp().rooms().remove(s->id());
      s->finish();
    }
    s->nsp().disconnected(s, reason);
  }
  conn_.reset();  // breaks session → listener → session
}

}  // namespace hw::socketio
