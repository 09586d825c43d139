#pragma once
// A few threads for blocking work (disk I/O, libmagic) that must not run on an I/O thread or the
// app strand, where it would stall every other connection. Tasks run in submission order per
// pool (FIFO), at most `threads` at once. The queue is bounded: a full queue refuses the task
// (post() returns false) so that a disk that stops answering turns into refusals, not into
// unbounded memory.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hw::core {

class blocking_pool {
 public:
  blocking_pool(std::size_t threads, std::size_t max_queued);
  /// Runs what is queued, then joins.
  ~blocking_pool();
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  /// Queues `task`; false (task dropped, not run) when the queue is full or the pool stopping.
  bool post(std::function<void()> task);
  /// Tasks queued and not yet started.
  [[nodiscard]] std::size_t queued() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hw::core
