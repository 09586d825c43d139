#pragma once
// The outcome of checking a guest's bearer token, shared by the REST API (which issues and
// checks tokens) and the realtime middleware (which only checks them).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/errors.hpp"

namespace hw::gateway {

/// The guest id, or why the token is refused (token_expired, token_invalid).
struct token_check {
  std::string guest_id;
  std::optional<app::error> error;
};
using token_verifier = std::function<token_check(std::string_view token)>;

}  // namespace hw::gateway
