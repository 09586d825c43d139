#pragma once
// The streaming halves of files_rest (gateway-internal): `upload_sink` writes an upload's body
// into a blob on the blocking pool, then sniffs, classifies and records it; `blob_source` reads
// a stored blob back for a download. Both hold files_rest::shared, never the handler itself.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "app/blobs.hpp"
#include "app/files.hpp"
#include "core/blocking_pool.hpp"
#include "core/metrics.hpp"
#include "gateway/files_rest.hpp"
#include "gateway/realtime.hpp"

namespace hw::gateway {

struct files_rest::shared {
  shared(files_rest_options o, realtime& c, app::file_service& f, app::blob_store& b,
         app::content_sniffer& s, core::blocking_pool& p)
      : opts(o), chat(c), files(f), blobs(b), sniffer(s), pool(p) {}

  files_rest_options opts;
  realtime& chat;
  app::file_service& files;
  app::blob_store& blobs;
  app::content_sniffer& sniffer;
  core::blocking_pool& pool;
  std::array<core::counter*, upload_outcome_count> outcomes{};

  /// Runs `task` on the app strand with the domain, unless the handler is gone (shutdown).
  void on_strand(std::function<void(app::chat_service&, app::file_service&)> task);
  void count(upload_outcome o) const;
  /// Cleared by ~files_rest: the domain may be gone after that.
  void close();

 private:
  std::mutex mutex_;
  bool alive_ = true;
};

/// What the upload's headers said.
struct upload_request {
  std::optional<std::uint64_t> length;             ///< Content-Length; nullopt: chunked
  std::string name;                                ///< sanitised
  std::string declared_type;                       ///< Content-Type, as sent
  std::optional<std::chrono::milliseconds> voice;  ///< X-Voice-Duration: a voice note
};

/// One upload's body → a blob → a file record → the 201 answer.
class upload_sink final : public http::body_sink, public std::enable_shared_from_this<upload_sink> {
 public:
  upload_sink(std::shared_ptr<files_rest::shared> sh, app::upload_ticket ticket,
              std::string file_id, upload_request req,
              std::unique_ptr<app::blob_store::writer> writer);
  ~upload_sink() override;
  upload_sink(const upload_sink&) = delete;
  upload_sink& operator=(const upload_sink&) = delete;

  void write(std::span<const char> chunk, std::function<void(bool ok)> done) override;
  void finish(bool failed, http::respond_fn respond) override;
  void abort() override;

 private:
  /// On the pool: commit, sniff, classify. Answers a refusal itself; else records the file.
  void store(const http::respond_fn& respond);
  /// On the app strand: the record, then the 201 (or a refusal, the blob removed).
  void record(app::upload_result r, const http::respond_fn& respond);
  /// Ends the ticket's reservation (once) and counts the outcome.
  void end(upload_outcome o);

  std::shared_ptr<files_rest::shared> sh_;
  app::upload_ticket ticket_;
  std::string file_id_;
  upload_request req_;
  std::unique_ptr<app::blob_store::writer> writer_;  ///< touched on the pool only
  std::atomic<bool> ended_{false};
};

/// The bytes [offset, offset + length) of a stored blob, read on the blocking pool.
class blob_source final : public http::body_source,
                          public std::enable_shared_from_this<blob_source> {
 public:
  blob_source(std::shared_ptr<app::blob_store::reader> reader, std::uint64_t offset,
              std::uint64_t length, core::blocking_pool& pool);
  [[nodiscard]] std::uint64_t size() const override { return length_; }
  void read(std::span<char> buf, std::function<void(std::size_t n)> done) override;

 private:
  std::shared_ptr<app::blob_store::reader> reader_;
  std::uint64_t offset_;
  std::uint64_t length_;
  std::uint64_t sent_ = 0;
  core::blocking_pool& pool_;
};

/// The answer to a GET or HEAD of a stored file: Range, ETag and conditional requests
/// (http::answer_entity), and the headers that keep a stranger's file harmless in the browser:
/// Content-Disposition (inline only for images, audio and video), nosniff, a sandbox CSP, no
/// caching, no referrer.
http::response file_response(const http::request& req, const app::file_record& rec,
                             std::shared_ptr<app::blob_store::reader> reader,
                             core::blocking_pool& pool);

/// The 201 body of an upload: `{fileId, name, size, mime, kind, url, expiresAt, duration?}`, with
/// the owner's capability URL.
boost::json::object encode_upload(const app::file_record& r);

}  // namespace hw::gateway
