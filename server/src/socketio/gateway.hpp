#pragma once
// The only translator between the wire and the chat domain: Socket.IO events on namespace "/"
// (JSON payloads, acks) ↔ app::chat_service calls (typed), and app events ↔ socket emits.
// The domain runs on one app strand; event handlers post to it, and emits go back to sockets
// (thread-safe). Token checks happen in the namespace middleware, before a socket connects.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "app/chat_service.hpp"
#include "app/guest.hpp"
#include "socketio/server.hpp"

namespace hw::socketio {

/// Result of checking a bearer token: the guest id, or an error code (token_invalid, ...).
struct token_result {
  std::string guest_id;
  std::string error;
};
using token_verifier = std::function<token_result(std::string_view token)>;

class gateway final : public app::chat_outbox {
 public:
  gateway(boost::asio::io_context& ioc, server& io, app::session_store& sessions,
          token_verifier verify, app::chat_config cfg,
          std::chrono::milliseconds session_touch_interval = std::chrono::seconds(60));
  ~gateway() override;

  /// Presence counts for GET /api/stats (thread-safe, refreshed after every domain call).
  [[nodiscard]] app::stats_snapshot stats() const;

  // app::chat_outbox (called on the app strand)
  void matched(const std::string& guest, const app::matched_event& e) override;
  bool message(const std::string& guest, const app::chat_message& m) override;
  void delivered(const std::string& guest, const std::vector<std::string>& ids) override;
  void read(const std::string& guest, const std::string& up_to) override;
  void typing(const std::string& guest, bool start) override;
  void ended(const std::string& guest, std::string_view reason) override;
  void partner_connection(const std::string& guest, std::string_view state) override;
  void stats(const app::stats_snapshot& s) override;
  void disconnect(const std::string& guest, std::string_view reason) override;
  void gone(const std::string& guest) override;

 private:
  using call = std::function<boost::json::value(const std::string& guest, event_args& args)>;
  void on(const std::string& event, call fn);
  /// Runs `fn` for socket `s`'s event on the app strand and answers its ack.
  void dispatch(const socket_ptr& s, event_args& a, const ack_fn& ack, const call& fn);
  void run(std::function<void()> f);  ///< on the app strand, then re-arm the timer
  void reschedule();
  /// False when the guest has no live socket or its connection refused the event.
  bool emit(const std::string& guest, std::string_view event, boost::json::value payload,
            bool is_volatile = false);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  server& io_;
  app::session_store& sessions_;
  token_verifier verify_;
  app::system_clock clock_;
  std::unique_ptr<app::random> random_;
  std::unique_ptr<app::chat_service> chat_;
  boost::asio::steady_timer timer_;
  std::unordered_map<std::string, socket_ptr> live_;  ///< guest id → its live socket
  /// Guest id → its last socket, dropped while unpaired and perhaps waiting for recovery: a
  /// newer connection ends it. Forgotten with the guest (gone()).
  std::unordered_map<std::string, std::weak_ptr<socket>> left_;
  /// Realtime activity keeps the guest session alive: touched at most once per interval.
  std::chrono::milliseconds touch_interval_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> touched_;
  std::atomic<std::size_t> online_{0};
  std::atomic<std::size_t> searching_{0};
  std::atomic<std::size_t> chatting_{0};
};

}  // namespace hw::socketio
