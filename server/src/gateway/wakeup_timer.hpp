#pragma once
// One timer for everything the realtime gateway waits on (the domain's next_wakeup, the end of
// released sockets' recovery windows): armed at the earliest deadline, it runs `on_due` on the
// app strand. One Asio timer in all, whatever the number of guests.

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>

#include "app/ports.hpp"
#include "gateway/app_strand.hpp"

namespace hw::gateway {

class wakeup_timer {
 public:
  wakeup_timer(app_strand::executor_type ex, std::function<void()> on_due);

  /// Waits until `at` (replacing the wait armed before). nullopt leaves an armed wait in place:
  /// a wakeup with nothing due is harmless, and re-arming on every call would cost a syscall.
  /// On the app strand only.
  void arm(std::optional<app::time_point> at);

 private:
  boost::asio::steady_timer timer_;
  std::function<void()> on_due_;
};

}  // namespace hw::gateway
