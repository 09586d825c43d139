#include "gateway/wakeup_timer.hpp"

namespace hw::gateway {

wakeup_timer::wakeup_timer(app_strand::executor_type ex, std::function<void()> on_due)
    : timer_(std::move(ex)), on_due_(std::move(on_due)) {}

void wakeup_timer::arm(std::optional<app::time_point> at) {
  if (!at) return;
  timer_.expires_at(*at);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // replaced by a later arm(), or the gateway is going away
    on_due_();
  });
}

}  // namespace hw::gateway
