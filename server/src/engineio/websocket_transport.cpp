#include "engineio/websocket_transport.hpp"

namespace hw::engineio {

namespace eio = protocol::eio;

websocket_transport::websocket_transport(std::shared_ptr<net::ws_connection> conn)
    : conn_(std::move(conn)) {}

void websocket_transport::send(std::vector<frame> frames) {
  if (!conn_) return;
  for (auto& f : frames)
    conn_->send(std::move(f.data), f.binary, f.droppable);
}

net::send_result websocket_transport::send_now(outgoing msg) {
  if (!conn_) return net::send_result::closed;
  // A volatile message's fate (queued or dropped) is known here; its attachments follow a
  // queued text and are not droppable (half a message would be worse than none).
  if (msg.text) {
    const auto r = conn_->send(std::move(msg.text), false, msg.is_volatile);
    if (r != net::send_result::queued) return r;
  }
  for (auto& b : msg.binaries)
    conn_->send(std::move(b), true, false);
  return net::send_result::queued;
}

void websocket_transport::close(std::vector<frame> last) {
  send(std::move(last));
  if (conn_) conn_->close(1000, {});
}

void websocket_transport::close_with(std::uint16_t code, std::string_view text) {
  if (conn_) conn_->close(code, text);
}

input_hold websocket_transport::hold_input() {
  return conn_ ? conn_->hold_input() : input_hold{};
}

void websocket_transport::abandon() {
  conn_.reset();
}

void websocket_transport::on_message(std::string_view data, bool binary) {
  auto o = owner();
  if (!o) return;
  if (binary) return o->on_packet(*this, eio::decode_binary(data));
  eio::packet_view p;
  if (eio::decode_text(data, p) != eio::decode_error::none) {
    return o->on_transport_close(*this, close_reason::parse_error);
  }
  o->on_packet(*this, p);
}

void websocket_transport::on_closed() {
  if (auto o = owner()) o->on_transport_close(*this, close_reason::transport_close);
}

}  // namespace hw::engineio
