#pragma once
// The chat domain as the event handlers see it: one call per client event, in the gateway's
// decoded payload types. It is the seam that lets the event table run without sockets or a real
// domain (unit tests plug a fake). The product's implementation, `chat_domain`, forwards to
// app::chat_service and counts accepted reports in hallway_reports_total{reason}. Called on the
// app strand only, like the service itself.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "app/chat_service.hpp"
#include "app/report.hpp"
#include "core/metrics.hpp"
#include "gateway/codec.hpp"

namespace hw::gateway {

class chat_port {
 public:
  virtual ~chat_port() = default;
  virtual app::chat_result<app::match_state> match(const std::string& guest, match_request r) = 0;
  virtual app::chat_result<app::match_state> next(const std::string& guest, match_request r) = 0;
  /// For a searching guest: the time until its fallback (see chat_service::fallback_in).
  [[nodiscard]] virtual std::optional<std::chrono::milliseconds> fallback_in(
      const std::string& guest) const = 0;
  virtual app::chat_result<app::match_state> cancel(const std::string& guest) = 0;
  virtual app::chat_result<app::report_outcome> report(const std::string& guest,
                                                       const report_payload& r) = 0;
  virtual app::chat_result<app::chat_message> send(const std::string& guest,
                                                   const message_payload& m) = 0;
  virtual app::chat_result<app::none> delivered(const std::string& guest,
                                                const delivered_payload& d) = 0;
  virtual app::chat_result<app::none> read(const std::string& guest, const read_payload& r) = 0;
  virtual app::chat_result<app::none> typing(const std::string& guest, bool start) = 0;
  virtual app::chat_result<app::none> leave(const std::string& guest) = 0;
  virtual app::chat_result<app::stats_snapshot> query_stats(const std::string& guest) = 0;
  // Calls (webrtc:*).
  virtual app::chat_result<app::none> call_offer(const std::string& guest, offer_payload o) = 0;
  virtual app::chat_result<app::none> call_answer(const std::string& guest, answer_payload a) = 0;
  virtual app::chat_result<app::none> call_candidate(const std::string& guest,
                                                     app::ice_candidate c) = 0;
  virtual app::chat_result<app::none> call_end(const std::string& guest) = 0;
  virtual app::chat_result<app::none> call_reject(const std::string& guest) = 0;
  virtual app::chat_result<app::none> call_reveal(const std::string& guest, reveal_payload r) = 0;
  /// An event name the table does not have: always a refusal (which the domain counts toward
  /// its flood guard).
  virtual app::chat_error unknown_event(const std::string& guest) = 0;
};

/// chat_port over the real domain.
class chat_domain final : public chat_port {
 public:
  /// `metrics` (may be null) gets hallway_reports_total{reason}; it must outlive this object.
  chat_domain(app::chat_service& chat, core::registry* metrics);

  app::chat_result<app::match_state> match(const std::string& guest, match_request r) override;
  app::chat_result<app::match_state> next(const std::string& guest, match_request r) override;
  [[nodiscard]] std::optional<std::chrono::milliseconds> fallback_in(
      const std::string& guest) const override;
  app::chat_result<app::match_state> cancel(const std::string& guest) override;
  app::chat_result<app::report_outcome> report(const std::string& guest,
                                               const report_payload& r) override;
  app::chat_result<app::chat_message> send(const std::string& guest,
                                           const message_payload& m) override;
  app::chat_result<app::none> delivered(const std::string& guest,
                                        const delivered_payload& d) override;
  app::chat_result<app::none> read(const std::string& guest, const read_payload& r) override;
  app::chat_result<app::none> typing(const std::string& guest, bool start) override;
  app::chat_result<app::none> leave(const std::string& guest) override;
  app::chat_result<app::stats_snapshot> query_stats(const std::string& guest) override;
  app::chat_result<app::none> call_offer(const std::string& guest, offer_payload o) override;
  app::chat_result<app::none> call_answer(const std::string& guest, answer_payload a) override;
  app::chat_result<app::none> call_candidate(const std::string& guest,
                                             app::ice_candidate c) override;
  app::chat_result<app::none> call_end(const std::string& guest) override;
  app::chat_result<app::none> call_reject(const std::string& guest) override;
  app::chat_result<app::none> call_reveal(const std::string& guest, reveal_payload r) override;
  app::chat_error unknown_event(const std::string& guest) override;

 private:
  app::chat_service& chat_;
  /// Indexed like app::report_reason_names; null entries without a registry.
  std::array<core::counter*, app::report_reason_names.size()> reports_total_{};
};

}  // namespace hw::gateway
