#pragma once
// GET /api/stats: the presence counts `{online, searching, chatting}` (the codec's one stats
// form), read from a thread-safe snapshot so a request never waits for the app strand.

#include <functional>

#include "app/chat_service.hpp"
#include "http/handler.hpp"

namespace hw::gateway {

class stats_rest final : public http::handler {
 public:
  /// `read` returns the current counts (zeros when no chat runs); called on any thread.
  explicit stats_rest(std::function<app::stats_snapshot()> read) : read_(std::move(read)) {}
  void handle(const http::request& req, http::respond_fn respond) override;

 private:
  std::function<app::stats_snapshot()> read_;
};

}  // namespace hw::gateway
