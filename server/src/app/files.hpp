#pragma once
// The file domain: who may upload (a guest in a chat, within its rate and its bytes in flight),
// the record of every shared file (its chat, its two capabilities, its lifetime) and when a
// file's bytes must go (its chat ended, its lifetime passed). It never touches bytes: blob
// I/O runs on the blocking pool, and the domain tells the gateway which blobs to delete through
// `files_outbox`. Standard library only; owned by the app strand, like chat_service (no locks).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/errors.hpp"
#include "app/file_types.hpp"
#include "app/ports.hpp"
#include "app/rate_limit.hpp"

namespace hw::app {

struct files_config {
  std::uint64_t max_file_bytes = 10ULL << 20U;
  /// No file lives longer, even in a chat that goes on.
  std::chrono::milliseconds max_lifetime{24LL * 3600 * 1000};
  /// Uploads started per guest (refused ones count): 10 per 10 minutes.
  bucket_config upload_limit{1.0 / 60.0, 10.0};
  std::size_t max_tracked_guests = 100'000;  ///< bound of the per-guest rate table
  std::uint64_t max_in_flight_per_guest = 20ULL << 20U;
  std::uint64_t max_in_flight_total = 256ULL << 20U;
  std::size_t max_files = 100'000;  ///< live files, all chats (bounds the catalog)
  std::chrono::milliseconds voice_min{1'000};
  std::chrono::milliseconds voice_max{300'000};
};

/// A shared file, as the server knows it. The bytes are the blob with the same id.
struct file_record {
  std::string id;  ///< 32 lower-case hex digits (128 random bits)
  std::string room_id;
  std::string owner;    ///< the sender's guest id
  std::string partner;  ///< the other guest of the chat
  std::string name;     ///< sanitised display name
  std::uint64_t size = 0;
  file_type type;
  std::optional<std::chrono::milliseconds> duration;  ///< voice notes
  /// The URL capabilities of owner and partner (32 hex digits each, 128 random bits): the URL
  /// each is given carries its own, so a capability names a file *and* a reader.
  std::string owner_cap;
  std::string partner_cap;
  std::int64_t expires_at_ms = 0;  ///< unix ms
};

/// Where file records live (memory now; shared storage for several instances later). Called on
/// the app strand only.
class file_catalog {
 public:
  virtual ~file_catalog() = default;
  /// False (nothing stored) when the id is taken.
  virtual bool put(file_record r) = 0;
  [[nodiscard]] virtual std::optional<file_record> get(const std::string& id) const = 0;
  virtual bool remove(const std::string& id) = 0;
  /// Removes every file of the room; returns their ids.
  virtual std::vector<std::string> remove_room(const std::string& room_id) = 0;
  /// Removes every file with expires_at_ms <= now_ms; returns their ids.
  virtual std::vector<std::string> remove_expired(std::int64_t now_ms) = 0;
  /// The earliest expires_at_ms of a live file.
  [[nodiscard]] virtual std::optional<std::int64_t> next_expiry() const = 0;
  [[nodiscard]] virtual std::size_t size() const = 0;
  [[nodiscard]] virtual std::uint64_t bytes() const = 0;
};

/// What the domain asks of the world: delete these blobs (their records are gone already).
class files_outbox {
 public:
  virtual ~files_outbox() = default;
  virtual void discard(const std::vector<std::string>& file_ids, std::string_view why) = 0;
};

/// An admitted upload. Holds a reservation of bytes in flight until end_upload().
struct upload_ticket {
  std::uint64_t id = 0;
  std::string guest;
  std::string room_id;
  std::uint64_t reserved = 0;
};

/// An upload's refusal: the error, and for a rate limit when to retry.
struct upload_refusal {
  error code = error::invalid_payload;
  std::string message;
  std::int64_t retry_after_ms = -1;
};

/// What the upload turned out to be, once its bytes were written and sniffed.
struct upload_result {
  std::string name;
  std::uint64_t size = 0;
  file_type type;
  std::optional<std::chrono::milliseconds> duration;
};

/// Which of the two guests a capability (or a guest id) names.
enum class file_reader { owner, partner };

class file_service {
 public:
  file_service(file_catalog& catalog, files_outbox& out, const clock& clk, random& rnd,
               files_config cfg = {});

  [[nodiscard]] const files_config& config() const { return cfg_; }

  /// Before any byte is read. `room_id`: the guest's chat (empty: none → not_in_chat);
  /// `expected_bytes`: the Content-Length, or nullopt for a chunked body (max_file_bytes is
  /// reserved then). Takes a rate token; refuses beyond the limits.
  std::optional<upload_refusal> begin_upload(const std::string& guest, const std::string& room_id,
                                             std::optional<std::uint64_t> expected_bytes,
                                             upload_ticket& ticket);
  /// Releases the ticket's reservation (after success or failure, exactly once).
  void end_upload(const upload_ticket& ticket);
  /// Records the file. `room_now`: the guest's chat now (the upload fails with not_in_chat when
  /// the chat ended while the bytes arrived). `file_id` must be new (the caller drew it to name
  /// the blob). Does not end the ticket.
  std::optional<upload_refusal> add(const upload_ticket& ticket, const std::string& room_now,
                                    const std::string& partner, const std::string& file_id,
                                    upload_result r, file_record& out);
  /// A new file id: 32 hex digits no live file has.
  std::string new_file_id();

  /// The file a capability opens, and for whom; nullopt when the file is unknown, expired, or
  /// the capability is not one of its two (compared in constant time).
  [[nodiscard]] std::optional<std::pair<file_record, file_reader>> open(
      const std::string& file_id, std::string_view capability) const;
  /// The file `guest` may attach to a message in `room_id`: its own upload in that chat.
  [[nodiscard]] std::optional<file_record> attachable(const std::string& guest,
                                                      const std::string& room_id,
                                                      const std::string& file_id) const;

  /// The chat ended: its files go (records now, blobs through the outbox).
  void room_closed(const std::string& room_id);
  /// Removes expired files.
  void tick();
  [[nodiscard]] std::optional<time_point> next_wakeup() const;

  [[nodiscard]] std::size_t live_files() const { return catalog_.size(); }
  [[nodiscard]] std::uint64_t stored_bytes() const { return catalog_.bytes(); }
  [[nodiscard]] std::uint64_t bytes_in_flight() const { return in_flight_total_; }

 private:
  std::string random_hex();

  file_catalog& catalog_;
  files_outbox& out_;
  const clock& clock_;
  random& random_;
  files_config cfg_;
  keyed_buckets uploads_;
  std::unordered_map<std::string, std::uint64_t> in_flight_;  ///< guest → reserved bytes
  std::uint64_t in_flight_total_ = 0;
  std::uint64_t next_ticket_ = 1;
};

/// Constant-time equality of two strings of the same length (capabilities); false otherwise.
bool equal_secret(std::string_view a, std::string_view b);

}  // namespace hw::app
