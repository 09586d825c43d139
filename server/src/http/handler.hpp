#pragma once
// The one interface between net/ and everything that answers HTTP requests.

#include <functional>

#include "http/message.hpp"

namespace hw::http {

/// Called exactly once with the response. May be called later, from any thread (handlers that
/// wait on the app strand or a store answer asynchronously); net/ re-enters the connection's
/// strand itself. `req` stays valid until `respond` has been called.
using respond_fn = std::function<void(response)>;

/// Something that answers requests. Implementations must not throw for any request content.
class handler {
 public:
  virtual ~handler() = default;
  virtual void handle(const request& req, respond_fn respond) = 0;
};

/// A handler made of a function (small endpoints wired in runtime.cpp).
class function_handler final : public handler {
 public:
  explicit function_handler(std::function<void(const request&, respond_fn)> f) : f_(std::move(f)) {}
  void handle(const request& req, respond_fn respond) override { f_(req, std::move(respond)); }

 private:
  std::function<void(const request&, respond_fn)> f_;
};

}  // namespace hw::http
