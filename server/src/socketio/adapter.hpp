#pragma once
// Room membership and delivery, behind an interface so a Redis implementation can replace the
// in-memory one without touching socketio/ callers (socket.io's adapter split).

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engineio/session.hpp"

namespace hw::socketio {

class socket;

/// Who receives a broadcast: members of any of `rooms` (all sockets of the namespace when
/// empty), minus members of `except`.
struct broadcast_options {
  std::vector<std::string> rooms;
  std::vector<std::string> except;
};

class adapter {
 public:
  virtual ~adapter() = default;
  virtual void add(const std::shared_ptr<socket>& s) = 0;
  virtual void remove(const std::string& sid) = 0;
  virtual void join(const std::string& sid, const std::string& room) = 0;
  virtual void leave(const std::string& sid, const std::string& room) = 0;
  [[nodiscard]] virtual std::vector<std::string> rooms_of(const std::string& sid) const = 0;
  /// Delivers one encoded packet to every matching socket (each socket once).
  /// `offset` is the recovery offset carried by the packet (0: none).
  virtual std::size_t broadcast(const broadcast_options& opts, const engineio::outgoing& msg,
                                std::uint64_t offset) = 0;
};

/// One namespace's rooms in memory. Thread-safe (a mutex; delivery happens outside it).
class memory_adapter final : public adapter {
 public:
  void add(const std::shared_ptr<socket>& s) override;
  void remove(const std::string& sid) override;
  void join(const std::string& sid, const std::string& room) override;
  void leave(const std::string& sid, const std::string& room) override;
  [[nodiscard]] std::vector<std::string> rooms_of(const std::string& sid) const override;
  std::size_t broadcast(const broadcast_options& opts, const engineio::outgoing& msg,
                        std::uint64_t offset) override;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<socket>> sockets_;
  std::unordered_map<std::string, std::set<std::string>> rooms_;        // room → sids
  std::unordered_map<std::string, std::set<std::string>> memberships_;  // sid → rooms
};

}  // namespace hw::socketio
