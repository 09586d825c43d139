#pragma once
// The realtime gateway: Socket.IO namespace "/" ↔ the chat domain. It is socket glue only —
// the token middleware, connection bookkeeping (one socket per guest), posting every event to
// the app strand and emitting the domain's outbox events — while what an event *means* is the
// event table (event_table.hpp) and what it looks like on the wire is the codec (codec.hpp).
// Token checks happen in the namespace middleware, before a socket connects.

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "app/chat_service.hpp"
#include "app/guest.hpp"
#include "core/metrics.hpp"
#include "gateway/app_strand.hpp"
#include "gateway/chat_port.hpp"
#include "gateway/event_table.hpp"
#include "gateway/token_check.hpp"
#include "gateway/touch_throttle.hpp"
#include "gateway/wakeup_timer.hpp"
#include "socketio/server.hpp"

namespace hw::gateway {

/// What the gateway and the domain hold, for gauges (thread-safe copies refreshed after every
/// call on the app strand; reading them is O(1)).
struct memory_snapshot {
  app::memory_counts chat;
  std::size_t sockets_held = 0;              ///< live_ + left_ entries
  std::size_t files_live = 0;                ///< shared files stored
  std::uint64_t file_bytes_stored = 0;       ///< their bytes
  std::uint64_t upload_bytes_in_flight = 0;  ///< reserved by uploads under way
};

class realtime final : public app::chat_outbox {
 public:
  /// `metrics` (may be null) gets hallway_reports_total{reason}; it must outlive the gateway.
  realtime(boost::asio::io_context& ioc, socketio::server& io, app::session_store& sessions,
           token_verifier verify, app::chat_config cfg,
           std::chrono::milliseconds session_touch_interval = std::chrono::seconds(60),
           core::registry* metrics = nullptr, app::file_service* files = nullptr);
  ~realtime() override;
  realtime(const realtime&) = delete;
  realtime& operator=(const realtime&) = delete;

  /// Presence counts for GET /api/stats (thread-safe, refreshed after every domain call).
  [[nodiscard]] app::stats_snapshot stats() const;
  /// What the chat holds (thread-safe, refreshed like stats()).
  [[nodiscard]] memory_snapshot memory() const;
  /// Runs `task` with the domain on the app strand (the file REST handler's way in), followed
  /// like every domain call by the gauge refresh and the timer re-arm. Thread-safe.
  void post(std::function<void(app::chat_service&)> task);

  // app::chat_outbox (called on the app strand)
  void matched(const std::string& guest, const app::matched_event& e) override;
  bool message(const std::string& guest, const app::chat_message& m) override;
  void delivered(const std::string& guest, const std::vector<std::string>& ids) override;
  void read(const std::string& guest, const std::string& up_to) override;
  void typing(const std::string& guest, bool start) override;
  void ended(const std::string& guest, std::string_view reason) override;
  void partner_connection(const std::string& guest, std::string_view state) override;
  void stats(const app::stats_snapshot& s) override;
  void call(const std::string& guest, const app::call_signal& s) override;
  void disconnect(const std::string& guest, std::string_view reason) override;
  void offline(const std::string& guest) override;
  void gone(const std::string& guest) override;

 private:
  void install_auth();       ///< the token middleware
  void install_lifecycle();  ///< connection and disconnection
  void install_events();     ///< one handler per event_table() row, and unknown_event
  void on_connected(const socketio::socket_ptr& s, app::guest g);
  /// Runs `row` (null: an unknown event) for socket `s` on the app strand and answers its ack.
  void dispatch(const socketio::socket_ptr& s, socketio::event_args& a, const socketio::ack_fn& ack,
                const event_row* row);
  /// After every app-strand task: copies the gauges and re-arms the wakeup timer.
  void refresh();
  /// Ends the guest's live_ entry once its socket is disconnected: a recoverable one is
  /// remembered weakly in left_ for the recovery window (a newer connection ends it).
  void release(const std::string& guest, bool may_recover = true);
  /// Drops the left_ entries whose recovery window has passed.
  void expire_left(app::time_point now);
  /// False when the guest has no live socket or its connection refused the event.
  bool emit(const std::string& guest, std::string_view event, boost::json::value payload,
            bool is_volatile = false);

  app_strand strand_;
  socketio::server& io_;
  app::session_store& sessions_;
  token_verifier verify_;
  app::system_clock clock_;
  std::unique_ptr<app::random> random_;
  app::file_service* files_;
  std::unique_ptr<app::chat_service> chat_;
  chat_domain port_;
  wakeup_timer timer_;
  /// Guest id → its socket while the guest is online or inside its reconnect grace (emits to
  /// an away guest reach the socket's recovery buffer). Ended by offline()/gone() or by a
  /// disconnect outside a room.
  std::unordered_map<std::string, socketio::socket_ptr> live_;
  /// Guest id → its last socket, dropped while unpaired and perhaps waiting for recovery: a
  /// newer connection ends it. Ends with the recovery window (left_expiry_), or gone().
  struct left_socket {
    std::weak_ptr<socketio::socket> s;
    app::time_point until;
  };
  std::unordered_map<std::string, left_socket> left_;
  /// left_ deadlines in insertion order, which is deadline order (one window for all); an
  /// entry whose left_ deadline differs is stale and skipped.
  std::deque<std::pair<app::time_point, std::string>> left_expiry_;
  /// Only live guests have an entry, so it ends with the live_ one.
  touch_throttle touched_;
  std::atomic<std::size_t> online_{0};
  std::atomic<std::size_t> searching_{0};
  std::atomic<std::size_t> chatting_{0};
  std::atomic<std::size_t> mem_online_{0};
  std::atomic<std::size_t> mem_away_{0};
  std::atomic<std::size_t> mem_remembered_{0};
  std::atomic<std::size_t> mem_dedupe_{0};
  std::atomic<std::size_t> mem_pending_{0};
  std::atomic<std::size_t> sockets_held_{0};
  /// Call metrics: the domain's counts, published by increments after every strand task.
  struct call_metrics {
    app::call_counts seen;
    core::counter* started = nullptr;
    core::counter* relay_only = nullptr;
    core::counter* answered = nullptr;
    std::array<core::counter*, 4> ended{};  ///< hangup, rejected, timeout, chat_ended
  } call_metrics_;
  void publish_calls();
  std::atomic<std::size_t> files_live_{0};
  std::atomic<std::uint64_t> file_bytes_{0};
  std::atomic<std::uint64_t> upload_bytes_{0};
};

}  // namespace hw::gateway
