#pragma once
// Engine.IO's HTTP long-polling transport (engine.io lib/transports/polling.ts): a GET is held
// until the session has packets for it (the transport is writable while one is held); a POST
// carries a payload of packets, handed to the session one by one with input backpressure.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/transport.hpp"
#include "http/handler.hpp"

namespace hw::engineio {

/// Bytes `f` takes in a polling payload, without the separator (a binary frame is "b" + base64).
[[nodiscard]] std::size_t payload_size(const frame& f);
/// The polling payload of `frames` (packets joined by the record separator).
[[nodiscard]] std::string encode_payload(const std::vector<frame>& frames);
/// A poll's answer: `base` (CORS, cache headers) with status 200 and a text payload.
[[nodiscard]] http::response poll_response(http::response base, std::string body);
/// The Engine.IO "Bad request" error (400 {"code":3,...}).
[[nodiscard]] http::response bad_request();

/// The polling transport of one session. Strand-only, except hold_input().
class polling_transport final : public transport,
                                public std::enable_shared_from_this<polling_transport> {
 public:
  struct limits {
    std::size_t max_payload = 1'000'000;  ///< bytes of one POST body (413 beyond)
    std::size_t input_hold_limit = 64;    ///< held messages at which a POST stops being handled
  };
  polling_transport(boost::asio::any_io_executor strand, limits lim);

  [[nodiscard]] std::string_view name() const override { return "polling"; }
  [[nodiscard]] bool can_upgrade() const override { return true; }
  [[nodiscard]] bool own_queue() const override { return false; }
  [[nodiscard]] bool writable() const override { return static_cast<bool>(pending_get_); }

  void send(std::vector<frame> frames) override;
  net::send_result send_now(outgoing msg) override;
  void close(std::vector<frame> last) override;
  void close_with(std::uint16_t code, std::string_view text) override;
  input_hold hold_input() override;
  void abandon() override;

  /// A GET: held until there is something to send (the owner hears on_drain). A second GET
  /// while one is held is refused and reported as a transport error.
  void on_get(http::respond_fn respond, http::response base);
  /// A POST: its packets go to the owner, then it is answered "ok". Refused (and reported) when
  /// it overlaps a held POST, is too large or does not decode.
  void on_post(std::string_view body, const http::respond_fn& respond, http::response base);
  /// Replaced by an upgrade: a poll still held raced the upgrade packet and is refused; a POST
  /// still being handled completes.
  void discard();

 private:
  void report_close(close_reason why);
  // Input backpressure: a POST's packets are handled until too many are held; the rest and the
  // POST's answer wait (so the client cannot send the next POST) until released.
  void run_post();
  bool post_input_full();
  void release_post_input();

  boost::asio::any_io_executor strand_;
  limits limits_;
  http::respond_fn pending_get_;
  http::response pending_base_;
  struct held_post {
    std::vector<protocol::eio::packet> packets;
    std::size_t next = 0;
    http::respond_fn respond;
    http::response base;
  };
  std::optional<held_post> post_;  // the POST being handled
  bool closed_ = false;
  std::atomic<std::size_t> post_held_{0};
  std::atomic<bool> post_paused_{false};
};

}  // namespace hw::engineio
