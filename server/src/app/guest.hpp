#pragma once
// A guest (the anonymous identity a visitor gets) and the port that keeps guest sessions.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hw::app {

struct guest {
  std::string id;                      ///< random, URL-safe; the JWT subject
  std::string username;                ///< validated or generated
  std::string language;                ///< canonical BCP-47 tag, may be empty
  std::vector<std::string> interests;  ///< normalised tags
};

/// Outcome of creating a session.
enum class create_status {
  ok,
  full,        ///< the store holds its maximum of sessions
  owner_full,  ///< the owner (client address key) already has its maximum of live sessions
};

/// Port: guest sessions with a sliding inactivity TTL, counted per owner (the creating client's
/// address key) so that one address cannot fill the store. Asynchronous so that a Redis
/// implementation fits; callbacks may run inline (memory) or later on another thread (Redis).
class session_store {
 public:
  virtual ~session_store() = default;
  /// Stores a new session owned by `owner` (a hashed address key, never a raw address).
  virtual void create(const guest& g, const std::string& owner,
                      std::function<void(create_status)> done) = 0;
  /// Looks a session up and, when found, extends its TTL (any activity keeps a guest alive).
  virtual void touch(const std::string& id, std::function<void(std::optional<guest>)> done) = 0;
  virtual void remove(const std::string& id) = 0;
};

}  // namespace hw::app
