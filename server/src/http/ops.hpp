#pragma once
// Operations endpoints: /healthz (the process answers), /readyz (it wants traffic: false while
// draining) and /metrics (Prometheus text).

#include <functional>

#include "core/metrics.hpp"
#include "http/handler.hpp"

namespace hw::http {

class ops final : public handler {
 public:
  ops(std::function<bool()> ready, const core::registry& metrics)
      : ready_(std::move(ready)), metrics_(metrics) {}
  void handle(const request& req, respond_fn respond) override;

 private:
  std::function<bool()> ready_;
  const core::registry& metrics_;
};

}  // namespace hw::http
