#pragma once
// State shared by the listener and every session of one server (net/ internal). Beast-free.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/address.hpp"
#include "core/metrics.hpp"
#include "net/conn_limits.hpp"
#include "net/server.hpp"

namespace hw::net {

/// A live connection as the server sees it for shutdown. Both calls may come from any thread;
/// implementations hop to their own strand.
class session_base {
 public:
  virtual ~session_base() = default;
  /// Shutdown began: finish the request in flight (answer with Connection: close), close if idle.
  virtual void drain() = 0;
  /// Grace period over: close now.
  virtual void force_close() = 0;
};

struct server_context {
  server_context(server_options o, server_hooks h);

  server_options opts;
  server_hooks hooks;
  conn_limits limits;
  /// opts.trusted_proxies, parsed (the server refuses to start when it does not parse).
  std::vector<core::cidr> trusted;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> rejecting{0};

  core::gauge& open_connections;
  core::counter& accepted;
  core::counter& request_bytes;
  core::counter& response_bytes;
  core::gauge& websocket_connections;
  core::counter& ws_messages_in;
  core::counter& ws_messages_out;
  core::counter& ws_dropped;
  core::counter& slow_readers_closed;

  /// Counts a finished request in hallway_http_requests_total.
  void count_request(std::string_view route, unsigned status);
  void count_rejected(std::string_view reason);

  /// Session registry, for drain/force_close at shutdown.
  std::uint64_t add_session(std::weak_ptr<session_base> s);
  /// Points an existing registration at another session object (HTTP → WebSocket upgrade keeps
  /// the admission slot).
  void replace_session(std::uint64_t id, std::weak_ptr<session_base> s);
  /// Called from a session's destructor; releases its admission slot.
  void remove_session(std::uint64_t id, const std::string& ip);
  /// Calls f on every live session. f runs outside the registry lock: the temporary
  /// shared_ptr may be the last owner, and a session's destructor takes the lock.
  template <typename F>
  void for_each_session(F&& f) {
    std::vector<std::shared_ptr<session_base>> live;
    {
      std::lock_guard lock(mutex_);
      live.reserve(sessions_.size());
      for (auto& [id, w] : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live)
      f(*s);
  }
  /// Set by the server: runs when the last session closes while draining.
  std::function<void()> on_idle_while_draining;

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions_;
};

}  // namespace hw::net
