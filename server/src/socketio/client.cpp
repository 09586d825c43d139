#include "socketio/client.hpp"

#include "core/random.hpp"
#include "core/wire_errors.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

namespace hw::socketio {

namespace asio = boost::asio;
namespace sio = protocol::sio;
namespace json = boost::json;

std::string random_id() {
  return core::random_token(20);
}

client::client(server& srv, std::shared_ptr<engineio::session> conn)
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

void client::send_packet(const sio::packet& p) {
  if (!conn_) return;
  std::string text = "4";
  sio::encode(text, p);
  engineio::outgoing out;
  out.text = std::make_shared<const std::string>(std::move(text));
  conn_->send(std::move(out));
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
  if (!data.empty() && data[0] == '0' && data.size() > srv_.opts().max_connect_bytes) {
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
  sio::packet e;
  e.type = sio::packet_type::connect_error;
  e.nsp = n->name();
  e.data = json::object{{"message", "CONNECT payload too large"},
                        {"data",
                         {{"code", core::code(core::wire_error::payload_too_large)},
                          {"maxBytes", srv_.opts().max_connect_bytes}}}};
  e.has_data = true;
  send_packet(e);
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
    case sio::packet_type::binary_event: {
      auto it = sockets_.find(p.nsp);
      if (it == sockets_.end()) return fail("invalid state");  // socket.io closes too
      auto sock = it->second;
      auto& arr = p.data.as_array();
      std::string name =
          arr[0].is_string() ? std::string(arr[0].as_string()) : json::serialize(arr[0]);
      auto& handlers = sock->nsp().handlers_;
      auto h = handlers.find(name);
      const event_handler* handler = h != handlers.end() ? &h->second : nullptr;
      if (handler == nullptr && sock->nsp().unknown_) handler = &sock->nsp().unknown_;
      if (handler == nullptr) return;
      event_args args;
      args.args = json::array(arr.begin() + 1, arr.end());
      args.bin = std::move(bin);
      ack_fn ack;
      if (p.id) {
        auto done = std::make_shared<std::atomic<bool>>(false);
        ack = [w = weak_from_this(), conn = std::weak_ptr(conn_), nsp = p.nsp, id = *p.id,
               done](event_args reply) {
          if (done->exchange(true)) return;
          auto c = conn.lock();
          if (!c) return;
          sio::packet a;
          a.type = reply.bin.empty() ? sio::packet_type::ack : sio::packet_type::binary_ack;
          a.nsp = nsp;
          a.id = id;
          a.data = std::move(reply.args);
          a.has_data = true;
          a.attachments = reply.bin.size();
          std::string text = "4";
          sio::encode(text, a);
          engineio::outgoing out;
          out.text = std::make_shared<const std::string>(std::move(text));
          out.binaries = std::move(reply.bin);
          c->send(std::move(out));
        };
      }
      (*handler)(sock, args, std::move(ack));
      return;
    }
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack: {
      auto it = sockets_.find(p.nsp);
      if (it == sockets_.end()) return fail("invalid state");
      if (!p.id) return;
      event_args args;
      if (p.data.is_array()) args.args = std::move(p.data.as_array());
      args.bin = std::move(bin);
      it->second->on_ack(*p.id, std::move(args));
      return;
    }
    case sio::packet_type::connect_error:
      return fail("parse error");  // server-only packet
  }
}

void client::connect(sio::packet& p) {
  namespace_* nsp = srv_.find(p.nsp);
  if (nsp == nullptr) {
    sio::packet e;
    e.type = sio::packet_type::connect_error;
    e.nsp = p.nsp;
    e.data = json::object{{"message", "Invalid namespace"}};
    e.has_data = true;
    return send_packet(e);
  }
  if (sockets_.count(p.nsp) != 0) return;  // already connected: nothing to do
  json::object auth = p.has_data && p.data.is_object() ? p.data.as_object() : json::object{};

  if (srv_.opts().recovery_window.count() > 0) {
    const auto* pid = auth.if_contains("pid");
    if (pid != nullptr && pid->is_string()) {
      auto old = srv_.take_recoverable(std::string(pid->as_string()));
      // attach() fails when the server disconnected the socket meanwhile: start afresh.
      if (old && &old->nsp() == nsp && old->attach(conn_, shared_from_this(), true)) {
        std::uint64_t offset = 0;
        if (const auto* off = auth.if_contains("offset"); off != nullptr && off->is_string()) {
          const auto& s = off->as_string();
          std::from_chars(s.data(), s.data() + s.size(), offset);
        }
        sockets_[p.nsp] = old;
        connect_timer_.cancel();
        sio::packet ok;
        ok.type = sio::packet_type::connect;
        ok.nsp = p.nsp;
        ok.data = json::object{{"sid", old->id()}, {"pid", old->pid()}};
        ok.has_data = true;
        send_packet(ok);
        if (old->replay_after(offset)) {
          if (nsp->on_connection_) nsp->on_connection_(old);
          return;
        }
        // Too much was missed to replay: this is a new session after all.
        sockets_.erase(p.nsp);
        nsp->adapter_->remove(old->id());
        old->finish();
        fail("recovery failed");
        return;
      }
      if (old) {
        // Taken out of the recovery map but not resumed (disconnected meanwhile, or another
        // namespace's pid): it ends here.
        old->nsp().adapter_->remove(old->id());
        old->finish();
      }
    }
  }
  auth.erase("pid");
  auth.erase("offset");
  const bool recovery = srv_.opts().recovery_window.count() > 0;
  auto sock = std::make_shared<socket>(*nsp, random_id(), recovery ? random_id() : std::string(),
                                       std::move(auth));
  run_middleware(sock, nsp, 0);
}

void client::run_middleware(const socket_ptr& s, namespace_* nsp, std::size_t i) {
  if (closed_) return;
  if (i == nsp->middlewares_.size()) return accept(s, nsp);
  auto next = [w = weak_from_this(), s, nsp, i,
               ex = conn_->executor()](std::optional<json::object> err) {
    asio::dispatch(ex, [w, s, nsp, i, err = std::move(err)]() mutable {
      auto self = w.lock();
      if (!self || self->closed_) return;
      if (err) {
        sio::packet e;
        e.type = sio::packet_type::connect_error;
        e.nsp = nsp->name();
        e.data = std::move(*err);
        e.has_data = true;
        return self->send_packet(e);
      }
      self->run_middleware(s, nsp, i + 1);
    });
  };
  nsp->middlewares_[i](s, s->auth(), std::move(next));
}

void client::accept(const socket_ptr& s, namespace_* nsp) {
  if (sockets_.count(nsp->name()) != 0) return;
  nsp->adapter_->add(s);
  (void)s->attach(conn_, shared_from_this(), false);  // a new socket: nobody disconnected it
  sockets_[nsp->name()] = s;
  connect_timer_.cancel();
  sio::packet ok;
  ok.type = sio::packet_type::connect;
  ok.nsp = nsp->name();
  json::object data{{"sid", s->id()}};
  if (!s->pid().empty()) data["pid"] = s->pid();
  ok.data = std::move(data);
  ok.has_data = true;
  send_packet(ok);
  if (nsp->on_connection_) nsp->on_connection_(s);
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
  s->nsp().adapter_->remove(s->id());
  if (s->nsp().on_disconnect_) s->nsp().on_disconnect_(s, reason);
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
      s->nsp().adapter_->remove(s->id());
      s->finish();
    }
    if (s->nsp().on_disconnect_) s->nsp().on_disconnect_(s, reason);
  }
  conn_.reset();  // breaks session → listener → session
}

}  // namespace hw::socketio
