#include "app/matchmaker.hpp"

#include <algorithm>

namespace hw::app {

namespace {

// Length-prefixed so that no (tag, language) pair can collide with another, whatever bytes the
// caller put in them.
std::string tag_lang_key(std::string_view tag, std::string_view lang) {
  std::string k = std::to_string(lang.size());
  k += ':';
  k += lang;
  k += tag;
  return k;
}

std::string language_key(std::string_view tag) {
  std::string k(tag.substr(0, tag.find('-')));
  for (char& c : k) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return k;
}

template <class Index, class Key>
void index_add(Index& idx, std::string_view name, const Key& k) {
  auto it = idx.find(name);
  if (it == idx.end()) it = idx.emplace(std::string(name), typename Index::mapped_type{}).first;
  it->second.insert(k);
}

// Empty sets are dropped so that the indexes stay bounded by the tickets actually waiting.
template <class Index, class Key>
void index_remove(Index& idx, std::string_view name, const Key& k) {
  const auto it = idx.find(name);
  if (it == idx.end()) return;
  it->second.erase(k);
  if (it->second.empty()) idx.erase(it);
}

bool excludes(const ticket& a, const std::string& other) {
  return a.recent_partners.contains(other) || a.reported.contains(other);
}

}  // namespace

std::optional<match_mode> parse_match_mode(std::string_view s) {
  if (s == "text") return match_mode::text;
  if (s == "video") return match_mode::video;
  return std::nullopt;
}

std::string_view to_string(match_mode m) {
  return m == match_mode::video ? "video" : "text";
}

matchmaker::matchmaker(random& r, matchmaker_config cfg) : random_(r), cfg_(cfg) {
  cfg_.fallback = std::clamp<std::chrono::steady_clock::duration>(
      cfg_.fallback, std::chrono::steady_clock::duration::zero(), std::chrono::hours(24));
}

enqueue_error matchmaker::enqueue(ticket t) {
  if (t.guest_id.empty() || t.interests.size() > cfg_.max_interests ||
      (t.interests_only && t.interests.empty()))
    return enqueue_error::invalid_ticket;
  const auto old = where_.find(t.guest_id);
  const bool same_queue = old != where_.end() && old->second.first == t.mode;
  if (!same_queue && queue_of(t.mode).entries.size() >= cfg_.max_tickets_per_mode)
    return enqueue_error::queue_full;
  if (old != where_.end()) remove(queue_of(old->second.first), old->second.second);

  // Duplicates would only cost index work; keep the first occurrence, as the validator does.
  std::vector<std::string> tags;
  for (auto& tag : t.interests) {
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
  }
  t.interests = std::move(tags);

  entry e;
  e.k = key{t.enqueued_at, next_seq_++};
  e.lang = language_key(t.language);
  const match_mode m = t.mode;
  e.t = std::move(t);
  insert(queue_of(m), std::move(e), m);
  return enqueue_error::none;
}

void matchmaker::insert(queue& q, entry e, match_mode m) {
  const key k = e.k;
  where_[e.t.guest_id] = {m, k};
  pending_.emplace(k, m);
  for (const auto& tag : e.t.interests) {
    index_add(q.by_tag, tag, k);
    if (!e.lang.empty()) index_add(q.by_tag_lang, tag_lang_key(tag, e.lang), k);
  }
  if (!e.t.interests_only) {
    unopened_.emplace(k, m);
    q.may_fall_back.insert(k);
    if (!e.lang.empty()) index_add(q.may_fall_back_by_lang, e.lang, k);
  }
  if (e.t.interests.empty()) {
    q.no_interests.insert(k);
    if (!e.lang.empty()) index_add(q.no_interests_by_lang, e.lang, k);
  }
  q.entries.emplace(k, std::move(e));
}

void matchmaker::remove(queue& q, const key& k) {
  const auto it = q.entries.find(k);
  if (it == q.entries.end()) return;
  const entry& e = it->second;
  for (const auto& tag : e.t.interests) {
    index_remove(q.by_tag, tag, k);
    if (!e.lang.empty()) index_remove(q.by_tag_lang, tag_lang_key(tag, e.lang), k);
  }
  if (!e.t.interests_only) {
    q.may_fall_back.erase(k);
    if (!e.lang.empty()) index_remove(q.may_fall_back_by_lang, e.lang, k);
  }
  if (e.t.interests.empty()) {
    q.no_interests.erase(k);
    if (!e.lang.empty()) index_remove(q.no_interests_by_lang, e.lang, k);
  }
  pending_.erase(k);
  unopened_.erase(k);
  where_.erase(e.t.guest_id);
  q.entries.erase(it);
}

bool matchmaker::cancel(std::string_view guest_id) {
  const auto it = where_.find(std::string(guest_id));
  if (it == where_.end()) return false;
  const auto [m, k] = it->second;
  remove(queue_of(m), k);
  return true;
}

bool matchmaker::exclude(std::string_view guest_id, const std::string& other) {
  const auto it = where_.find(std::string(guest_id));
  if (it == where_.end()) return false;
  const auto& [m, k] = it->second;
  // Exclusions only remove candidates, so no turn is owed and no index changes.
  queue_of(m).entries.at(k).t.reported.insert(other);
  return true;
}

bool matchmaker::queued(std::string_view guest_id) const {
  return where_.contains(std::string(guest_id));
}

std::optional<match_mode> matchmaker::mode_of(std::string_view guest_id) const {
  const auto it = where_.find(std::string(guest_id));
  if (it == where_.end()) return std::nullopt;
  return it->second.first;
}

std::optional<time_point> matchmaker::fallback_at(std::string_view guest_id) const {
  const auto it = where_.find(std::string(guest_id));
  if (it == where_.end()) return std::nullopt;
  const auto& [m, k] = it->second;
  if (queues_.at(static_cast<std::size_t>(m)).entries.at(k).t.interests_only) return std::nullopt;
  return k.at + cfg_.fallback;
}

std::size_t matchmaker::size(match_mode m) const {
  return queues_.at(static_cast<std::size_t>(m)).entries.size();
}

bool matchmaker::open(const entry& e, time_point now) const {
  return now >= e.k.at && now - e.k.at >= cfg_.fallback;
}

// The oldest ticket in `r` (an index's key set) that `a` may ever be paired with: not `a`, and
// no exclusion either way. Excluded tickets are skipped, so the cost is the number of excluded
// tickets ahead of the answer.
const matchmaker::entry* matchmaker::first_usable(const queue& q, const entry& a,
                                                  const key_set& r) const {
  for (const key& k : r) {
    if (k == a.k) continue;
    const entry& c = q.entries.at(k);
    if (excludes(a.t, c.t.guest_id) || excludes(c.t, a.t.guest_id)) continue;
    return &c;
  }
  return nullptr;
}

const matchmaker::entry* matchmaker::best_for(const queue& q, const entry& a,
                                              time_point now) const {
  const auto older = [](const entry* x, const entry* y) {
    if (x == nullptr) return y;
    if (y == nullptr) return x;
    return y->k < x->k ? y : x;
  };
  const entry* best = nullptr;
  // Tier 1: shares an interest and the language. Tier 2: shares an interest. Sharing tickets
  // are always eligible, so the oldest usable one in each tag's index is the answer.
  if (!a.lang.empty()) {
    for (const auto& tag : a.t.interests) {
      const auto it = q.by_tag_lang.find(tag_lang_key(tag, a.lang));
      if (it != q.by_tag_lang.end()) best = older(best, first_usable(q, a, it->second));
    }
    if (best != nullptr) return best;
  }
  for (const auto& tag : a.t.interests) {
    const auto it = q.by_tag.find(tag);
    if (it != q.by_tag.end()) best = older(best, first_usable(q, a, it->second));
  }
  if (best != nullptr) return best;

  // No usable ticket shares an interest with `a`. An interests_only `a` takes nobody else.
  // A non-sharing ticket c (never interests_only: the lists below hold none) is eligible if `a`
  // is open, or c is open, or neither has interests. Openness only depends on age, so the
  // oldest usable ticket of a list is open iff any usable ticket of that list is.
  if (a.t.interests_only) return nullptr;
  const bool a_open = open(a, now);
  const bool a_plain = a.t.interests.empty();
  const auto pick = [&](const key_set* plain_list, const key_set& all_list) -> const entry* {
    const entry* c = first_usable(q, a, all_list);
    if (c != nullptr && (a_open || open(*c, now))) return c;
    if (a_plain && plain_list != nullptr) return first_usable(q, a, *plain_list);
    return nullptr;
  };
  if (!a.lang.empty()) {  // Tier 3: same language.
    const auto all = q.may_fall_back_by_lang.find(a.lang);
    if (all != q.may_fall_back_by_lang.end()) {
      const auto plain = q.no_interests_by_lang.find(a.lang);
      const key_set* plain_list = plain == q.no_interests_by_lang.end() ? nullptr : &plain->second;
      if (const entry* c = pick(plain_list, all->second)) return c;
    }
  }
  return pick(&q.no_interests, q.may_fall_back);  // Tier 4: anyone eligible.
}

std::vector<match_pair> matchmaker::match(time_point now) {
  now = std::max(now, last_now_);
  last_now_ = now;
  // Tickets whose fallback expired are owed a turn: they just became eligible for everyone.
  while (!unopened_.empty() && now - unopened_.begin()->first.at >= cfg_.fallback) {
    pending_.insert(*unopened_.begin());
    unopened_.erase(unopened_.begin());
  }
  std::vector<match_pair> out;
  while (!pending_.empty()) {
    const auto [k, m] = *pending_.begin();
    pending_.erase(pending_.begin());
    queue& q = queue_of(m);
    const auto it = q.entries.find(k);
    if (it == q.entries.end()) continue;
    const entry& a = it->second;
    const entry* b = best_for(q, a, now);
    if (b == nullptr) continue;

    match_pair p;
    p.a = a.t.guest_id;
    p.b = b->t.guest_id;
    p.mode = m;
    for (const auto& tag : a.t.interests) {
      if (std::find(b->t.interests.begin(), b->t.interests.end(), tag) != b->t.interests.end())
        p.common_interests.push_back(tag);
    }
    std::sort(p.common_interests.begin(), p.common_interests.end());
    p.polite_a = (random_.next() & 1U) != 0;
    const key kb = b->k;
    remove(q, kb);
    remove(q, k);
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<time_point> matchmaker::next_deadline() const {
  std::optional<time_point> due;
  if (!pending_.empty()) due = pending_.begin()->first.at;
  if (!unopened_.empty()) {
    const time_point t = unopened_.begin()->first.at + cfg_.fallback;
    if (!due || t < *due) due = t;
  }
  return due;
}

}  // namespace hw::app
