#include "socketio/socket.hpp"

#include <boost/asio/dispatch.hpp>
#include <limits>

#include "core/log.hpp"
#include "socketio/client.hpp"
#include "socketio/packets.hpp"

namespace hw::socketio {

socket::socket(namespace_& nsp, std::string id, std::string pid, boost::json::object auth)
    : nsp_(nsp),
      id_(std::move(id)),
      pid_(std::move(pid)),
      auth_(std::move(auth)),
      sockets_gauge_(nsp.owner().sockets_gauge()),
      live_bytes_gauge_(nsp.owner().live_bytes_gauge()) {
  if (sockets_gauge_ != nullptr) sockets_gauge_->add(1);
}

socket::~socket() {
  if (sockets_gauge_ != nullptr) sockets_gauge_->add(-1);
  if (live_bytes_gauge_ != nullptr)
    live_bytes_gauge_->add(-static_cast<std::int64_t>(live_counted_));
}

void socket::sync_live_bytes_locked() {
  const std::size_t now = conn_ ? buffer_bytes_ : 0;
  if (now == live_counted_) return;
  if (live_bytes_gauge_ != nullptr) {
    live_bytes_gauge_->add(static_cast<std::int64_t>(now) -
                           static_cast<std::int64_t>(live_counted_));
  }
  live_counted_ = now;
}

bool socket::connected() const {
  std::lock_guard lock(mutex_);
  return conn_ != nullptr;
}

bool socket::recovered() const {
  std::lock_guard lock(mutex_);
  return recovered_;
}

bool socket::attach(const connection_ptr& conn, const std::shared_ptr<client>& owner) {
  std::lock_guard lock(mutex_);
  if (ended_) return false;
  conn_ = conn;
  client_ = owner;
  sync_live_bytes_locked();
  return true;
}

socket::resume_result socket::resume(const connection_ptr& conn,
                                     const std::shared_ptr<client>& owner, std::uint64_t offset) {
  std::vector<engineio::outgoing> missed;
  bool complete = false;
  {
    std::lock_guard lock(mutex_);
    if (ended_) return resume_result::ended;
    conn_ = conn;
    client_ = owner;
    recovered_ = true;
    if (expiry_) expiry_->cancel();
    sync_live_bytes_locked();
    // Emits on other strands go to held_ from now on: were they sent at once, they could reach
    // the client before the missed packets, and their offset would make it skip those on its
    // next recovery (the application strand emits while this connection's strand replays).
    replaying_ = true;
    complete = offset >= evicted_upto_;  // else some of what it missed is gone
    if (complete && buffer_) {
      for (const auto& b : *buffer_) {
        if (b.offset > offset) missed.push_back(b.msg);
      }
    }
  }
  conn->send(connect_packet(nsp_.name(), id_, pid_));
  if (!complete) return resume_result::missed_more;  // the caller ends it (finish())
  core::log::debug("socket_recovered", {{"offset", offset}, {"replayed", missed.size()}});
  for (auto& m : missed)
    conn->send(std::move(m));
  flush_held(conn);
  return resume_result::resumed;
}

void socket::flush_held(const connection_ptr& conn) {
  // Sent outside the lock, like every send: more may be held meanwhile, hence the loop.
  for (;;) {
    std::vector<engineio::outgoing> held;
    {
      std::lock_guard lock(mutex_);
      if (conn_ != conn) return;  // detached or ended meanwhile (they reset the replay)
      if (held_.empty()) {
        replaying_ = false;
        return;
      }
      held.swap(held_);
    }
    for (auto& m : held)
      conn->send(std::move(m));
  }
}

bool socket::detach() {
  std::lock_guard lock(mutex_);
  if (conn_) {
    trim_locked(clock::now());  // still connected: what is older than a window goes now
    if (!expiry_ && !ended_) {
      expiry_ = std::make_unique<boost::asio::steady_timer>(conn_->executor());
    }
  }
  conn_.reset();
  client_.reset();
  // Held packets go with the transport, as if sent: the recoverable ones are in the buffer.
  replaying_ = false;
  held_.clear();
  sync_live_bytes_locked();
  return !pid_.empty() && !ended_;
}

void socket::finish() {
  // Taken out under the lock, freed outside it (ack callbacks run app code).
  std::optional<std::deque<buffered>> buffer;
  std::map<std::uint64_t, pending_ack> acks;
  std::unique_ptr<boost::asio::steady_timer> expiry;
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
    conn_.reset();
    client_.reset();
    replaying_ = false;
    held_.clear();
    buffer.swap(buffer_);
    buffer_bytes_ = 0;
    evicted_upto_ = std::numeric_limits<std::uint64_t>::max();  // nothing can be replayed
    acks.swap(acks_);
    expiry = std::move(expiry_);  // destroyed below: a pending wait completes as aborted
    sync_live_bytes_locked();
  }
  for (auto& [id, a] : acks) {
    a.timer->cancel();
    a.fn(std::nullopt);
  }
}

bool socket::recoverable() const {
  std::lock_guard lock(mutex_);
  return !pid_.empty() && !ended_;
}

std::size_t socket::recovery_bytes() const {
  // Id, pid, rooms, data and the control block are small and bounded; a fixed estimate keeps
  // the global recovery budget honest without walking them.
  constexpr std::size_t fixed_estimate = 1024;
  std::lock_guard lock(mutex_);
  return buffer_bytes_ + fixed_estimate;
}

std::size_t socket::buffered_packets() const {
  std::lock_guard lock(mutex_);
  return buffer_ ? buffer_->size() : 0;
}

bool socket::emit(std::string_view event, const event_args& args, emit_options opts) {
  std::optional<std::uint64_t> ack_id;
  connection_ptr conn;
  {
    std::lock_guard lock(mutex_);
    conn = conn_;
    if (opts.ack) {
      if (!conn) {
        opts.ack(std::nullopt);
        return false;
      }
      ack_id = next_ack_++;
      auto timer = std::make_shared<boost::asio::steady_timer>(conn->executor(), opts.ack_timeout);
      acks_[*ack_id] = pending_ack{std::move(opts.ack), timer};
      timer->async_wait([w = weak_from_this(), id = *ack_id](boost::system::error_code ec) {
        auto self = w.lock();
        if (ec || !self) return;
        std::function<void(std::optional<event_args>)> fn;
        {
          std::lock_guard l(self->mutex_);
          auto it = self->acks_.find(id);
          if (it == self->acks_.end()) return;
          fn = std::move(it->second.fn);
          self->acks_.erase(it);
        }
        fn(std::nullopt);
      });
    }
  }
  // Packets that need no ack and may not be dropped carry a recovery offset.
  const bool recoverable =
      nsp_.owner().opts().recovery_window.count() > 0 && !opts.is_volatile && !ack_id;
  const std::uint64_t offset = recoverable ? nsp_.owner().next_offset() : 0;
  return deliver(event_packet(nsp_.name(), event, args, ack_id, offset, opts.is_volatile), offset);
}

namespace {
std::size_t message_bytes(const engineio::outgoing& m) {
  std::size_t size = m.text->size();
  for (const auto& b : m.binaries)
    size += b->size();
  return size;
}
}  // namespace

void socket::trim_locked(clock::time_point now) {
  if (!buffer_) return;
  const auto& lim = nsp_.owner().opts();
  // Sent before this instant, a packet can no longer be missed by a client that may recover.
  const auto oldest_useful = now - lim.recovery_window;
  auto& buf = *buffer_;
  while (!buf.empty() && (buf.size() > lim.recovery_packets || buffer_bytes_ > lim.recovery_bytes ||
                          (conn_ && buf.front().at < oldest_useful))) {
    buffer_bytes_ -= message_bytes(buf.front().msg);
    evicted_upto_ = buf.front().offset;
    buf.pop_front();
  }
}

bool socket::deliver(const engineio::outgoing& msg, std::uint64_t offset) {
  connection_ptr conn;
  std::int64_t grew = 0;
  {
    std::lock_guard lock(mutex_);
    if (offset != 0 && !pid_.empty() && !ended_) {
      const std::size_t before = buffer_bytes_;
      const auto now = clock::now();
      if (!buffer_) buffer_.emplace();
      buffer_->push_back(buffered{offset, now, msg});
      buffer_bytes_ += message_bytes(msg);
      trim_locked(now);  // each packet is popped once: O(1) amortised
      grew = static_cast<std::int64_t>(buffer_bytes_) - static_cast<std::int64_t>(before);
      sync_live_bytes_locked();
    }
    conn = conn_;
    if (conn && replaying_) {
      held_.push_back(msg);  // sent right after the replay (flush_held), in this order
      return true;
    }
  }
  if (!conn) {
    // Waiting for recovery: what it buffers counts toward the global recovery budget.
    if (grew != 0) nsp_.owner().recovery_grew(this, grew);
    // Not handed to a live transport: false even when buffered for recovery, since the client
    // may come back without recovering (the caller then keeps what matters itself).
    return false;
  }
  return conn->send(msg) == net::send_result::queued;
}

engineio::input_hold socket::hold_input() {
  connection_ptr conn;
  {
    std::lock_guard lock(mutex_);
    conn = conn_;
  }
  return conn ? conn->hold_input() : engineio::input_hold{};
}

void socket::on_ack(std::uint64_t id, event_args args) {
  std::function<void(std::optional<event_args>)> fn;
  {
    std::lock_guard lock(mutex_);
    auto it = acks_.find(id);
    if (it == acks_.end()) return;  // late, duplicate or forged ack: ignore
    fn = std::move(it->second.fn);
    it->second.timer->cancel();
    acks_.erase(it);
  }
  fn(std::move(args));
}

void socket::fail_acks() {
  std::map<std::uint64_t, pending_ack> acks;
  {
    std::lock_guard lock(mutex_);
    acks.swap(acks_);
  }
  for (auto& [id, a] : acks) {
    a.timer->cancel();
    a.fn(std::nullopt);
  }
}

void socket::join(const std::string& room) {
  nsp_.rooms().join(id_, room);
}
void socket::leave(const std::string& room) {
  nsp_.rooms().leave(id_, room);
}
std::vector<std::string> socket::rooms() const {
  return nsp_.rooms().rooms_of(id_);
}

void socket::arm_expiry(std::function<void()> on_expired) {
  std::lock_guard lock(mutex_);
  if (!expiry_) return;
  // The timer runs on the last connection's strand; created on detach.
  expiry_->expires_after(nsp_.owner().opts().recovery_window);
  expiry_->async_wait([fn = std::move(on_expired)](boost::system::error_code ec) {
    if (!ec) fn();
  });
}

void socket::disconnect() {
  connection_ptr conn;
  std::weak_ptr<client> owner;
  {
    // One lock for the whole decision: the transport may be closing on another strand (a page
    // reload), which detaches the socket and would keep it for recovery.
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    conn = conn_;
    owner = client_;
  }
  if (!conn) {
    // Detached: waiting for recovery (or already gone). It ends here, not when the window
    // expires, so a replaced connection's socket does not linger, nor its buffer.
    if (nsp_.owner().drop_recoverable(this)) nsp_.rooms().remove(id_);
    finish();
    return;
  }
  conn->send(disconnect_packet(nsp_.name()));
  // The client drops the socket on its own strand and runs the disconnect handler. If the
  // transport closed first, on_close already detached the socket without keeping it (ended_).
  boost::asio::dispatch(conn->executor(), [self = shared_from_this(), w = std::move(owner)] {
    if (auto c = w.lock()) c->drop(self, "server namespace disconnect");
  });
}

}  // namespace hw::socketio
