#include "socketio/server.hpp"

#include "socketio/client.hpp"
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
      to, encode_event(name_, event, args, std::nullopt, offset, is_volatile), offset);
}

server::server(boost::asio::io_context& ioc, engineio::options eio, options opts,
               core::registry* metrics)
    : ioc_(ioc), opts_(opts) {
  engine_ = std::make_unique<engineio::server>(
      ioc_, std::move(eio),
      [this](std::shared_ptr<engineio::session> s) -> std::shared_ptr<engineio::listener> {
        auto c = std::make_shared<client>(*this, std::move(s));
        c->start();
        return c;
      },
      metrics);
}

server::~server() {
  engine_.reset();  // first: sessions release their clients and sockets
  away_.clear();
}

namespace_& server::of(const std::string& name) {
  auto it = namespaces_.find(name);
  if (it == namespaces_.end()) {
    it = namespaces_.emplace(name, std::make_unique<namespace_>(*this, name)).first;
  }
  return *it->second;
}

namespace_* server::find(std::string_view name) {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second.get();
}

void server::keep_for_recovery(const socket_ptr& s) {
  std::lock_guard lock(recovery_mutex_);
  away_[s->pid()] = s;
}

socket_ptr server::take_recoverable(const std::string& pid) {
  std::lock_guard lock(recovery_mutex_);
  auto it = away_.find(pid);
  if (it == away_.end()) return nullptr;
  auto s = std::move(it->second);
  away_.erase(it);
  return s;
}

void server::forget_recoverable(const std::string& pid) {
  if (pid.empty()) return;
  std::lock_guard lock(recovery_mutex_);
  away_.erase(pid);
}

}  // namespace hw::socketio
