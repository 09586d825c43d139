#include "app/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hw::app {

token_bucket::token_bucket(bucket_config cfg)
    : rate_(std::isfinite(cfg.rate) && cfg.rate > 0 ? cfg.rate : 0.0),
      burst_(std::isfinite(cfg.burst) && cfg.burst >= 1 ? cfg.burst : 1.0),
      tokens_(burst_) {}

void token_bucket::refill(time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

double token_bucket::available(time_point now) {
  refill(now);
  return tokens_;
}

bool token_bucket::try_take(time_point now, double tokens) {
  if (!std::isfinite(tokens) || tokens < 0) return false;
  refill(now);
  if (tokens_ < tokens) return false;
  tokens_ -= tokens;
  return true;
}

std::int64_t token_bucket::retry_after_ms(time_point now, double tokens) {
  refill(now);
  const double want = std::isfinite(tokens) ? std::clamp(tokens, 0.0, burst_) : burst_;
  if (tokens_ >= want) return 0;
  if (rate_ <= 0) return std::numeric_limits<std::int64_t>::max();
  const double ms = std::ceil((want - tokens_) / rate_ * 1000.0);
  // Bounded by burst / rate; the clamp only guards absurd configurations (1e-300 tokens/s).
  if (ms >= 9.0e18) return std::numeric_limits<std::int64_t>::max();
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(ms));
}

void flood_guard::expire(time_point now) {
  while (!hits_.empty() && now - hits_.front() >= cfg_.window)
    hits_.pop_front();
}

bool flood_guard::refuse(time_point now) {
  expire(now);
  hits_.push_back(now);
  // Only whether the count exceeds the limit matters, so older hits beyond limit + 1 can go.
  while (hits_.size() > cfg_.max_refusals + 1)
    hits_.pop_front();
  return hits_.size() > cfg_.max_refusals;
}

std::size_t flood_guard::count(time_point now) {
  expire(now);
  return hits_.size();
}

}  // namespace hw::app
