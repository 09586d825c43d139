#pragma once
// The app strand: the one executor the chat domain runs on, so app/ needs no locks. Every task
// is followed, on the strand, by the same `after` step (the gateway refreshes its gauges and
// re-arms its wakeup timer there): no domain call can skip it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <functional>

namespace hw::gateway {

class app_strand {
 public:
  using executor_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  /// `after` runs after every posted task; it may be set once the owner is built.
  explicit app_strand(boost::asio::io_context& ioc);
  void set_after(std::function<void()> after) { after_ = std::move(after); }

  /// Runs `task` then `after` on the strand, later (never inline). Thread-safe.
  void post(std::function<void()> task);
  [[nodiscard]] executor_type executor() const { return strand_; }

 private:
  executor_type strand_;
  std::function<void()> after_;
};

}  // namespace hw::gateway
