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

keyed_buckets::keyed_buckets(bucket_config cfg, std::size_t max_keys)
    : cfg_(cfg),
      max_keys_(std::max<std::size_t>(1, max_keys)),
      idle_full_(std::chrono::steady_clock::duration::max()) {
  // The same reading of rate and burst as token_bucket's contract.
  const double rate = std::isfinite(cfg.rate) && cfg.rate > 0 ? cfg.rate : 0.0;
  const double burst = std::isfinite(cfg.burst) && cfg.burst >= 1 ? cfg.burst : 1.0;
  if (rate > 0 && burst / rate < 1e9) {
    idle_full_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(burst / rate));
  }
}

void keyed_buckets::expire(time_point now) {
  if (idle_full_ == std::chrono::steady_clock::duration::max()) return;
  while (!by_use_.empty()) {
    auto it = entries_.find(by_use_.front());
    if (it != entries_.end() && now - it->second.last_use < idle_full_) break;
    if (it != entries_.end()) entries_.erase(it);
    by_use_.pop_front();
  }
}

bool keyed_buckets::try_take(const std::string& key, time_point now, std::int64_t& retry_after_ms) {
  std::lock_guard lock(mutex_);
  expire(now);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      // Full of clients that are all still limited: the oldest frees its slot first.
      const auto& oldest = entries_.at(by_use_.front());
      const auto wait =
          idle_full_ == std::chrono::steady_clock::duration::max()
              ? std::chrono::milliseconds(60'000)
              : std::chrono::ceil<std::chrono::milliseconds>(oldest.last_use + idle_full_ - now);
      retry_after_ms = std::max<std::int64_t>(1, wait.count());
      return false;
    }
    by_use_.push_back(key);
    it = entries_.emplace(key, entry{token_bucket(cfg_), now, std::prev(by_use_.end())}).first;
  }
  auto& e = it->second;
  e.last_use = std::max(e.last_use, now);
  by_use_.splice(by_use_.end(), by_use_, e.order);  // now the most recent
  if (e.bucket.try_take(now)) return true;
  retry_after_ms = e.bucket.retry_after_ms(now);
  return false;
}

std::size_t keyed_buckets::size(time_point now) {
  std::lock_guard lock(mutex_);
  expire(now);
  return entries_.size();
}

void flood_guard::expire(time_point now) {
  auto first = hits_.begin();
  while (first != hits_.end() && now - *first >= cfg_.window)
    ++first;
  hits_.erase(hits_.begin(), first);
  // A guest that stopped being refused holds no heap memory (it may be remembered for minutes).
  if (hits_.empty()) std::vector<time_point>().swap(hits_);
}

bool flood_guard::refuse(time_point now) {
  expire(now);
  hits_.push_back(now);
  // Only whether the count exceeds the limit matters, so older hits beyond limit + 1 can go.
  if (hits_.size() > cfg_.max_refusals + 1) {
    hits_.erase(hits_.begin(), hits_.end() - static_cast<std::ptrdiff_t>(cfg_.max_refusals + 1));
  }
  return hits_.size() > cfg_.max_refusals;
}

std::size_t flood_guard::count(time_point now) {
  expire(now);
  return hits_.size();
}

}  // namespace hw::app
