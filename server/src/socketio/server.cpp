#include "socketio/server.hpp"

#include "socketio/client.hpp"
#include "socketio/connection.hpp"
#include "socketio/socket.hpp"

namespace hw::socketio {

server::server(boost::asio::io_context& ioc, engineio::options eio, options opts,
               core::registry* metrics)
    : ioc_(ioc), opts_(opts) {
  if (opts_.max_attachment_bytes == 0) opts_.max_attachment_bytes = eio.max_payload;
  if (opts_.attachment_timeout.count() == 0) opts_.attachment_timeout = eio.ping_timeout;
  if (metrics != nullptr) {
    away_gauge_ = &metrics->get_gauge("hallway_socketio_recoverable_sockets",
                                      "Sockets waiting for connection state recovery");
    away_bytes_gauge_ = &metrics->get_gauge("hallway_socketio_recovery_bytes",
                                            "Bytes held by sockets waiting for recovery");
    live_bytes_gauge_ =
        &metrics->get_gauge("hallway_socketio_live_buffer_bytes",
                            "Replay buffer bytes held by sockets that have a transport");
    sockets_gauge_ = &metrics->get_gauge(
        "hallway_socketio_sockets", "Socket objects alive (connected, recoverable or referenced)");
  }
  engine_ = std::make_unique<engineio::server>(
      ioc_, std::move(eio),
      [this](std::shared_ptr<engineio::session> s) -> std::shared_ptr<engineio::listener> {
        auto c = std::make_shared<client>(*this, over_session(std::move(s)));
        c->start();
        return c;
      },
      metrics);
}

server::~server() {
  engine_.reset();  // first: sessions release their clients and sockets
  away_.clear();
  away_order_.clear();
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

bool server::keep_for_recovery(const socket_ptr& s) {
  std::vector<socket_ptr> evicted;
  {
    std::lock_guard lock(recovery_mutex_);
    // Checked under the recovery lock: disconnect() sets the flag, then looks in the map.
    if (!s->recoverable()) return false;
    if (auto it = away_.find(s->pid()); it != away_.end()) erase_away(it);
    const std::size_t bytes = s->recovery_bytes();
    const std::uint64_t order = ++away_seq_;
    away_.emplace(s->pid(), away_entry{s, bytes, order});
    away_order_.emplace(order, s->pid());
    away_bytes_ += bytes;
    evict_over_budget(evicted);
    update_gauges();
  }
  end_evicted(evicted);
  return true;
}

void server::erase_away(std::unordered_map<std::string, away_entry>::iterator it) {
  away_bytes_ -= it->second.bytes;
  away_order_.erase(it->second.order);
  away_.erase(it);
  update_gauges();
}

void server::update_gauges() {
  if (away_gauge_ == nullptr) return;
  away_gauge_->set(static_cast<std::int64_t>(away_.size()));
  away_bytes_gauge_->set(static_cast<std::int64_t>(away_bytes_));
}

void server::evict_over_budget(std::vector<socket_ptr>& evicted) {
  while (away_bytes_ > opts_.recovery_total_bytes && !away_order_.empty()) {
    auto it = away_.find(away_order_.begin()->second);
    evicted.push_back(it->second.sock);
    erase_away(it);
  }
}

void server::end_evicted(const std::vector<socket_ptr>& evicted) {
  // Outside the recovery lock: the adapter and the socket have their own.
  for (const auto& s : evicted) {
    s->nsp().rooms().remove(s->id());
    s->finish();
  }
}

socket_ptr server::take_recoverable(const std::string& pid) {
  std::lock_guard lock(recovery_mutex_);
  auto it = away_.find(pid);
  if (it == away_.end()) return nullptr;
  auto s = std::move(it->second.sock);
  erase_away(it);
  return s;
}

void server::forget_recoverable(const std::string& pid) {
  if (pid.empty()) return;
  std::lock_guard lock(recovery_mutex_);
  if (auto it = away_.find(pid); it != away_.end()) erase_away(it);
}

bool server::drop_recoverable(const socket* s) {
  if (s->pid().empty()) return false;
  std::lock_guard lock(recovery_mutex_);
  auto it = away_.find(s->pid());
  if (it == away_.end() || it->second.sock.get() != s) return false;
  erase_away(it);
  return true;
}

void server::recovery_grew(const socket* s, std::int64_t delta) {
  std::vector<socket_ptr> evicted;
  {
    std::lock_guard lock(recovery_mutex_);
    auto it = away_.find(s->pid());
    if (it == away_.end() || it->second.sock.get() != s) return;
    // A socket's own buffer is bounded (recovery_bytes), so the charge cannot go below zero.
    const auto charged = static_cast<std::int64_t>(it->second.bytes) + delta;
    const std::size_t now = charged > 0 ? static_cast<std::size_t>(charged) : 0;
    away_bytes_ = away_bytes_ - it->second.bytes + now;
    it->second.bytes = now;
    evict_over_budget(evicted);
    update_gauges();
  }
  end_evicted(evicted);
}

std::size_t server::recoverable_count() const {
  std::lock_guard lock(recovery_mutex_);
  return away_.size();
}

std::size_t server::recovery_bytes() const {
  std::lock_guard lock(recovery_mutex_);
  return away_bytes_;
}

}  // namespace hw::socketio
