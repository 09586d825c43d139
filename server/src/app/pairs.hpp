#pragma once
// The pair registry: which guests are chatting, in which room, and what each guest remembers
// of past chats (recent partners, guests it reported) so that the matchmaker can keep them
// apart. Owned by the app strand; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/matchmaker.hpp"
#include "app/ports.hpp"

namespace hw::app {

struct pairs_config {
  /// Partners remembered per guest (the last K chats); they are not matched again.
  std::size_t recent_partners = 3;
  /// Reported guests remembered per guest; beyond, the oldest report is forgotten.
  std::size_t max_reported = 100;
};

/// A chat between two guests. `id` is 32 lower-case hex digits (128 random bits).
struct room {
  std::string id;
  std::string a;
  std::string b;
  match_mode mode = match_mode::text;
};

enum class pair_error : std::uint8_t {
  none,
  invalid_guest,   // an empty guest id
  same_guest,      // a == b
  already_paired,  // either guest is already in a room
  no_room_id,      // the random source kept producing ids already in use
};

struct create_result {
  pair_error error = pair_error::none;
  std::string room_id;
};

/// Rooms (a guest is in at most one) plus per-guest memory. Memory outlives rooms and is
/// dropped by forget() when the guest's session ends; it is bounded per guest by the config.
class pair_registry {
 public:
  explicit pair_registry(random& r, pairs_config cfg = {});

  /// Opens a room for a and b and records each as the other's most recent partner. Refused
  /// (nothing changes) when either id is empty, a == b, or either guest is already paired.
  create_result create(std::string_view a, std::string_view b, match_mode mode);

  [[nodiscard]] std::optional<std::string> partner_of(std::string_view guest) const;
  [[nodiscard]] std::optional<std::string> room_of(std::string_view guest) const;
  /// The room, or nullptr. The pointer is valid until the room ends.
  [[nodiscard]] const room* find(std::string_view room_id) const;
  /// Closes the room and returns it (so the caller can notify both guests); nullopt if unknown.
  std::optional<room> end(std::string_view room_id);
  /// Closes the guest's room, if any.
  std::optional<room> leave(std::string_view guest);
  [[nodiscard]] std::size_t rooms() const { return rooms_.size(); }

  /// Most recent first, at most `recent_partners`.
  [[nodiscard]] std::vector<std::string> recent_partners(std::string_view guest) const;
  /// Records that `reporter` reported `target`. False (nothing recorded) for empty ids, a
  /// self-report, or a repeat.
  bool report(std::string_view reporter, std::string_view target);
  [[nodiscard]] bool has_reported(std::string_view reporter, std::string_view target) const;
  /// Copies the guest's recent partners and reported guests into the ticket (by guest_id).
  void fill_exclusions(ticket& t) const;
  /// Drops the guest's memory (its session ended). Does not end its room.
  void forget(std::string_view guest);
  /// Guests with some memory (for tests and metrics).
  [[nodiscard]] std::size_t remembered() const { return memory_.size(); }

 private:
  struct memory {
    std::deque<std::string> recent;          // most recent first
    std::deque<std::string> reported_order;  // oldest first, for eviction
    std::unordered_set<std::string> reported;
  };
  void remember_partner(const std::string& guest, const std::string& partner);
  std::string new_room_id();

  random& random_;
  pairs_config cfg_;
  std::unordered_map<std::string, room> rooms_;           // by room id
  std::unordered_map<std::string, std::string> room_of_;  // guest → room id
  std::unordered_map<std::string, memory> memory_;
};

}  // namespace hw::app
