#include "socketio/adapter.hpp"

#include "socketio/socket.hpp"

namespace hw::socketio {

void memory_adapter::add(const std::shared_ptr<socket>& s) {
  std::lock_guard lock(mutex_);
  sockets_[s->id()] = s;
  // Every socket is in the room named by its id (socket.io semantics: emit to one socket).
  rooms_[s->id()].insert(s->id());
  memberships_[s->id()].insert(s->id());
}

void memory_adapter::remove(const std::string& sid) {
  std::lock_guard lock(mutex_);
  sockets_.erase(sid);
  auto it = memberships_.find(sid);
  if (it == memberships_.end()) return;
  for (const auto& room : it->second) {
    auto r = rooms_.find(room);
    if (r == rooms_.end()) continue;
    r->second.erase(sid);
    if (r->second.empty()) rooms_.erase(r);
  }
  memberships_.erase(it);
}

void memory_adapter::join(const std::string& sid, const std::string& room) {
  std::lock_guard lock(mutex_);
  if (sockets_.find(sid) == sockets_.end()) return;
  rooms_[room].insert(sid);
  memberships_[sid].insert(room);
}

void memory_adapter::leave(const std::string& sid, const std::string& room) {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room);
  if (r != rooms_.end()) {
    r->second.erase(sid);
    if (r->second.empty()) rooms_.erase(r);
  }
  auto m = memberships_.find(sid);
  if (m != memberships_.end()) m->second.erase(room);
}

std::vector<std::string> memory_adapter::rooms_of(const std::string& sid) const {
  std::lock_guard lock(mutex_);
  auto m = memberships_.find(sid);
  if (m == memberships_.end()) return {};
  return {m->second.begin(), m->second.end()};
}

std::size_t memory_adapter::broadcast(const broadcast_options& opts, const engineio::outgoing& msg,
                                      std::uint64_t offset) {
  std::vector<std::shared_ptr<socket>> targets;
  {
    std::lock_guard lock(mutex_);
    std::set<std::string> excluded;
    for (const auto& room : opts.except) {
      if (auto r = rooms_.find(room); r != rooms_.end())
        excluded.insert(r->second.begin(), r->second.end());
    }
    std::set<std::string> chosen;
    if (opts.rooms.empty()) {
      for (const auto& [sid, w] : sockets_)
        chosen.insert(sid);
    } else {
      for (const auto& room : opts.rooms) {
        if (auto r = rooms_.find(room); r != rooms_.end())
          chosen.insert(r->second.begin(), r->second.end());
      }
    }
    for (const auto& sid : chosen) {
      if (excluded.count(sid) != 0) continue;
      auto it = sockets_.find(sid);
      if (it == sockets_.end()) continue;
      if (auto s = it->second.lock()) targets.push_back(std::move(s));
    }
  }
  // Delivery outside the lock: a socket's own lock is taken there.
  for (const auto& s : targets)
    s->deliver(msg, offset);
  return targets.size();
}

}  // namespace hw::socketio
