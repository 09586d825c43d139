#pragma once
// POST /api/files (upload) and GET/HEAD /api/files/<id>?k=<capability> (download): the only
// translator between HTTP and the file domain (app/files.hpp). The handler decides; bytes move
// elsewhere: an upload streams through `upload_sink` into a blob on the blocking pool (disk
// writes, libmagic and unlinks never run on an I/O thread or the app strand), a download
// streams out of a blob with `blob_source`; domain calls run on the app strand through
// realtime::post. Nothing here logs a file name or content.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "app/blobs.hpp"
#include "app/files.hpp"
#include "core/blocking_pool.hpp"
#include "core/metrics.hpp"
#include "gateway/realtime.hpp"
#include "gateway/token_check.hpp"
#include "http/handler.hpp"

namespace hw::gateway {

struct files_rest_options {
  /// Uploads are refused (507) while the volume has less free space than this (plus the upload).
  std::uint64_t min_free_bytes = 512ULL << 20U;
};

/// Deletes the blobs of files the domain dropped (chat ended, expired), on the blocking pool.
/// The domain's outbox; counts what it removed.
class file_janitor final : public app::files_outbox {
 public:
  file_janitor(app::blob_store& blobs, core::blocking_pool& pool, core::registry* metrics);
  void discard(const std::vector<std::string>& file_ids, std::string_view why) override;

 private:
  app::blob_store& blobs_;
  core::blocking_pool& pool_;
  core::counter* chat_ended_ = nullptr;
  core::counter* expired_ = nullptr;
};

/// Upload outcomes, the label values of hallway_file_uploads_total{outcome}.
enum class upload_outcome {
  stored,
  unauthorized,
  not_in_chat,
  rate_limited,
  too_large,
  type_refused,
  no_space,
  aborted,
  failed,
  invalid,
};
inline constexpr std::size_t upload_outcome_count = 10;
std::string_view to_string(upload_outcome o);

class files_rest final : public http::handler {
 public:
  files_rest(files_rest_options opts, token_verifier verify, app::session_store& sessions,
             realtime& chat, app::file_service& files, app::blob_store& blobs,
             app::content_sniffer& sniffer, core::blocking_pool& pool, core::registry* metrics);
  ~files_rest() override;
  files_rest(const files_rest&) = delete;
  files_rest& operator=(const files_rest&) = delete;

  void admit(const http::request& head, http::plan_fn decide) override;
  void handle(const http::request& req, http::respond_fn respond) override;

  /// What an upload or download needs after the handler may be gone (server shutdown): the
  /// parts that outlive it, and a pointer to it that is cleared when it dies.
  struct shared;

 private:
  /// After the token and headers: the domain's admission on the app strand.
  void begin(const std::string& guest, struct upload_request r, const http::plan_fn& decide);
  void download(const http::request& req, std::string id, const http::respond_fn& respond);

  std::shared_ptr<shared> shared_;
  token_verifier verify_;
  app::session_store& sessions_;
};

}  // namespace hw::gateway
