#include "socketio/namespace.hpp"

#include "socketio/packets.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace hw::socketio {

namespace_::namespace_(server& srv, std::string name)
    : srv_(srv), name_(std::move(name)), adapter_(std::make_unique<memory_adapter>()) {}

std::size_t namespace_::emit(const broadcast_options& to, std::string_view event,
                             const event_args& args, bool is_volatile) {
  // Encoded once for every recipient; recoverable packets carry one offset for all of them.
  const std::uint64_t offset =
      srv_.opts().recovery_window.count() > 0 && !is_volatile ? srv_.next_offset() : 0;
  return adapter_->broadcast(
      to, event_packet(name_, event, args, std::nullopt, offset, is_volatile), offset);
}

void namespace_::run_middleware(std::size_t i, const socket_ptr& s, next_fn next) const {
  middlewares_.at(i)(s, s->auth(), std::move(next));
}

const event_handler* namespace_::handler(std::string_view event) const {
  if (auto it = handlers_.find(event); it != handlers_.end()) return &it->second;
  return unknown_ ? &unknown_ : nullptr;
}

void namespace_::connected(const socket_ptr& s) const {
  if (on_connection_) on_connection_(s);
}

void namespace_::disconnected(const socket_ptr& s, std::string_view reason) const {
  if (on_disconnect_) on_disconnect_(s, reason);
}

}  // namespace hw::socketio
