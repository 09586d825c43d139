#include "state/memory/session_store.hpp"

namespace hw::state::memory {

session_store::session_store(std::function<time_point()> now, std::chrono::milliseconds ttl,
                             std::size_t max_sessions, std::size_t max_per_owner)
    : now_(std::move(now)), ttl_(ttl), max_(max_sessions), max_per_owner_(max_per_owner) {}

void session_store::erase(std::unordered_map<std::string, entry>::iterator it) {
  if (auto o = per_owner_.find(it->second.owner); o != per_owner_.end() && --o->second == 0) {
    per_owner_.erase(o);
  }
  sessions_.erase(it);
}

void session_store::expire(time_point now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    const auto it = by_expiry_.begin();
    auto s = sessions_.find(it->second);
    // The index may hold stale entries for sessions touched since: only the current one counts.
    if (s != sessions_.end() && s->second.expires == it->first) erase(s);
    by_expiry_.erase(it);
  }
}

void session_store::create(const app::guest& g, const std::string& owner,
                           std::function<void(app::create_status)> done) {
  auto st = app::create_status::full;
  {
    std::lock_guard lock(mutex_);
    const auto now = now_();
    expire(now);
    const auto o = per_owner_.find(owner);
    if (o != per_owner_.end() && o->second >= max_per_owner_) {
      st = app::create_status::owner_full;
    } else if (sessions_.size() < max_ && sessions_.find(g.id) == sessions_.end()) {
      const auto exp = now + ttl_;
      sessions_.emplace(g.id, entry{g, exp, owner});
      by_expiry_.emplace(exp, g.id);
      ++per_owner_[owner];
      st = app::create_status::ok;
    }
  }
  done(st);
}

void session_store::touch(const std::string& id,
                          std::function<void(std::optional<app::guest>)> done) {
  std::optional<app::guest> found;
  {
    std::lock_guard lock(mutex_);
    const auto now = now_();
    expire(now);
    auto it = sessions_.find(id);
    if (it != sessions_.end()) {
      it->second.expires = now + ttl_;
      by_expiry_.emplace(it->second.expires, id);  // the old index entry becomes stale
      found = it->second.g;
    }
    // Stale index entries are bounded: compact when they outnumber live sessions 4 to 1.
    if (by_expiry_.size() > 4 * sessions_.size() + 1024) {
      by_expiry_.clear();
      for (const auto& [sid, e] : sessions_)
        by_expiry_.emplace(e.expires, sid);
    }
  }
  done(std::move(found));
}

void session_store::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) erase(it);
}

std::size_t session_store::owned_by(const std::string& owner) const {
  std::lock_guard lock(mutex_);
  const auto it = per_owner_.find(owner);
  return it == per_owner_.end() ? 0 : it->second;
}

std::size_t session_store::live() {
  std::lock_guard lock(mutex_);
  expire(now_());
  return sessions_.size();
}

std::size_t session_store::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace hw::state::memory
