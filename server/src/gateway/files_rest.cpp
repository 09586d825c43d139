#include "gateway/files_rest.hpp"

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <utility>

#include "app/file_name.hpp"
#include "gateway/file_transfer.hpp"
#include "gateway/rest.hpp"
#include "http/path.hpp"
#include "http/ranges.hpp"

namespace hw::gateway {

namespace {

constexpr std::string_view upload_path = "/api/files";
constexpr std::string_view file_prefix = "/api/files/";
constexpr std::array outcome_names{"stored",    "unauthorized", "not_in_chat", "rate_limited",
                                   "too_large", "type_refused", "no_space",    "aborted",
                                   "failed",    "invalid"};
static_assert(outcome_names.size() == upload_outcome_count);

http::response refused(app::error e, std::string_view message = {},
                       std::int64_t retry_after_ms = -1) {
  auto r = app::http_status(e) == 401 ? unauthorized(e, message) : personal_error(e, message);
  if (retry_after_ms >= 0)
    r.headers.set("retry-after", std::to_string((retry_after_ms + 999) / 1000));
  return r;
}

bool is_file_id(std::string_view s) {
  if (s.size() != 32) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || p != end || s.empty()) return std::nullopt;
  return v;
}

/// Seconds with an optional fraction ("12", "12.345"), as milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view s) {
  double v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v, std::chars_format::fixed);
  if (ec != std::errc{} || p != end || !std::isfinite(v) || v < 0 || v > 1e6) return std::nullopt;
  return std::chrono::milliseconds(std::llround(v * 1000.0));
}

/// An upload's headers, checked: the request, or the refusal and its outcome label.
struct checked_upload {
  std::optional<upload_request> value;
  std::optional<http::response> refusal;
  upload_outcome outcome = upload_outcome::invalid;
};

checked_upload bad_header(upload_outcome o, http::response r) {
  return {std::nullopt, std::move(r), o};
}

checked_upload read_upload_headers(const http::request& head, const app::files_config& cfg) {
  upload_request r;
  const bool chunked = head.headers.has("transfer-encoding");
  if (!chunked) r.length = parse_u64(head.headers.get("content-length")).value_or(0);
  if (r.length && *r.length > cfg.max_file_bytes) {
    return bad_header(
        upload_outcome::too_large,
        refused(app::error::file_too_large, "the file is larger than the limit of " +
                                                std::to_string(cfg.max_file_bytes) + " bytes"));
  }
  if (r.length && *r.length == 0) {
    return bad_header(upload_outcome::invalid,
                      personal_error(app::error::invalid_payload, "the file is empty", "body"));
  }
  const auto raw_name = head.headers.get("x-file-name");
  const auto name = http::percent_decode(raw_name);
  if (!name || name->size() > 1024) {
    return bad_header(
        upload_outcome::invalid,
        personal_error(app::error::invalid_payload,
                       "X-File-Name must be a percent-encoded UTF-8 name", "X-File-Name"));
  }
  r.name = app::sanitize_file_name(*name);
  r.declared_type = std::string(head.headers.get("content-type").substr(0, 255));
  if (head.headers.has("x-voice-duration")) {
    const auto d = parse_seconds(head.headers.get("x-voice-duration"));
    if (!d || *d < cfg.voice_min || *d > cfg.voice_max) {
      return bad_header(upload_outcome::invalid,
                        personal_error(app::error::invalid_payload,
                                       "X-Voice-Duration must be seconds, from " +
                                           std::to_string(cfg.voice_min.count() / 1000) + " to " +
                                           std::to_string(cfg.voice_max.count() / 1000),
                                       "X-Voice-Duration"));
    }
    r.voice = d;
  }
  return {std::move(r), std::nullopt, upload_outcome::stored};
}

upload_outcome outcome_of(app::error e) {
  switch (e) {
    case app::error::not_in_chat:
      return upload_outcome::not_in_chat;
    case app::error::rate_limited:
      return upload_outcome::rate_limited;
    case app::error::file_too_large:
      return upload_outcome::too_large;
    case app::error::invalid_payload:
      return upload_outcome::invalid;
    default:
      return upload_outcome::failed;
  }
}

}  // namespace

std::string_view to_string(upload_outcome o) {
  return outcome_names[static_cast<std::size_t>(o)];
}

// ---- file_janitor --------------------------------------------------------------------------

file_janitor::file_janitor(app::blob_store& blobs, core::blocking_pool& pool,
                           core::registry* metrics)
    : blobs_(blobs), pool_(pool) {
  if (metrics == nullptr) return;
  const char* help = "Shared files deleted, by why";
  chat_ended_ =
      &metrics->get_counter("hallway_files_deleted_total", help, {{"reason", "chat_ended"}});
  expired_ = &metrics->get_counter("hallway_files_deleted_total", help, {{"reason", "expired"}});
}

void file_janitor::discard(const std::vector<std::string>& file_ids, std::string_view why) {
  auto* counter = why == "expired" ? expired_ : chat_ended_;
  if (counter != nullptr) counter->inc(file_ids.size());
  // The records are gone already (the URLs answer 404 now); the bytes follow on the pool. A
  // full queue leaves them to the next start's cleanup rather than blocking the strand.
  pool_.post([&blobs = blobs_, ids = file_ids] {
    for (const auto& id : ids)
      blobs.remove(id);
  });
}

// ---- files_rest ----------------------------------------------------------------------------

files_rest::files_rest(files_rest_options opts, token_verifier verify, app::session_store& sessions,
                       realtime& chat, app::file_service& files, app::blob_store& blobs,
                       app::content_sniffer& sniffer, core::blocking_pool& pool,
                       core::registry* metrics)
    : shared_(std::make_shared<shared>(opts, chat, files, blobs, sniffer, pool)),
      verify_(std::move(verify)),
      sessions_(sessions) {
  if (metrics == nullptr) return;
  for (std::size_t i = 0; i < upload_outcome_count; ++i) {
    shared_->outcomes[i] =
        &metrics->get_counter("hallway_file_uploads_total", "File uploads, by outcome",
                              {{"outcome", std::string(outcome_names[i])}});
  }
}

files_rest::~files_rest() {
  shared_->close();
}

void files_rest::admit(const http::request& head, http::plan_fn decide) {
  if (head.method != "POST") return decide({});
  const auto refuse = [&](http::response r) { decide(http::body_plan{std::move(r), nullptr, 0}); };
  if (head.path != upload_path) {
    if (head.path.starts_with(file_prefix)) {
      return refuse(method_not_allowed("GET, HEAD", "files are read with GET"));
    }
    return refuse(personal_error(core::wire_error::not_found, "no such API endpoint"));
  }
  auto& sh = *shared_;
  const auto token = bearer_token(head);
  const auto check = token.empty() ? token_check{{}, app::error::token_invalid} : verify_(token);
  if (check.error) {
    sh.count(upload_outcome::unauthorized);
    return refuse(refused(*check.error, token.empty() ? "missing bearer token" : ""));
  }
  auto req = read_upload_headers(head, sh.files.config());
  if (!req.value) {
    sh.count(req.outcome);
    return refuse(std::move(*req.refusal));
  }
  sessions_.touch(check.guest_id, [this, guest = check.guest_id, r = std::move(*req.value),
                                   decide](const std::optional<app::guest>& g) mutable {
    if (!g) {
      shared_->count(upload_outcome::unauthorized);
      return decide(http::body_plan{refused(app::error::session_not_found), nullptr, 0});
    }
    begin(guest, std::move(r), decide);
  });
}

void files_rest::begin(const std::string& guest, upload_request r, const http::plan_fn& decide) {
  shared_->on_strand([sh = shared_, guest, r = std::move(r), decide](
                         app::chat_service& chat, app::file_service& files) mutable {
    const auto room = chat.room_and_partner(guest);
    app::upload_ticket ticket;
    if (auto no = files.begin_upload(guest, room ? room->first : std::string(), r.length, ticket)) {
      sh->count(outcome_of(no->code));
      return decide(
          http::body_plan{refused(no->code, no->message, no->retry_after_ms), nullptr, 0});
    }
    auto id = files.new_file_id();
    const auto limit = files.config().max_file_bytes;
    // Opening a file and asking the volume for its free space are disk work: on the pool.
    const bool queued = sh->pool.post([sh, ticket, id, r = std::move(r), decide, limit]() mutable {
      const auto want = r.length.value_or(limit);
      const auto free = sh->blobs.free_bytes();
      auto writer = free && *free < sh->opts.min_free_bytes + want ? nullptr : sh->blobs.create();
      if (!writer) {
        sh->on_strand([ticket](app::chat_service&, app::file_service& f) { f.end_upload(ticket); });
        sh->count(upload_outcome::no_space);
        return decide(http::body_plan{refused(app::error::insufficient_storage), nullptr, 0});
      }
      auto sink = std::make_shared<upload_sink>(sh, ticket, id, std::move(r), std::move(writer));
      decide(http::body_plan{std::nullopt, std::move(sink), limit});
    });
    if (!queued) {
      files.end_upload(ticket);
      sh->count(upload_outcome::failed);
      decide(http::body_plan{
          refused(app::error::server_busy, "the server is busy storing files", 1000), nullptr, 0});
    }
  });
}

void files_rest::handle(const http::request& req, http::respond_fn respond) {
  if (req.path == upload_path) {
    // POST bodies went to a sink (admit); anything else here is the wrong method.
    return respond(method_not_allowed("POST", "upload with POST"));
  }
  if (!req.path.starts_with(file_prefix)) {
    return respond(personal_error(core::wire_error::not_found, "no such API endpoint"));
  }
  auto id = req.path.substr(file_prefix.size());
  if (!is_file_id(id)) return respond(refused(app::error::file_not_found));
  if (req.method != "GET" && req.method != "HEAD") {
    return respond(method_not_allowed("GET, HEAD", "files are read with GET"));
  }
  download(req, std::move(id), respond);
}

void files_rest::download(const http::request& req, std::string id,
                          const http::respond_fn& respond) {
  // A bearer token is optional (media elements cannot send one); when given it must be one of
  // the chat's two guests, whatever the capability says.
  std::optional<std::string> as_guest;
  if (const auto token = bearer_token(req); !token.empty()) {
    auto check = verify_(token);
    if (check.error) return respond(refused(*check.error));
    as_guest = std::move(check.guest_id);
  }
  shared_->on_strand([sh = shared_, &req, id = std::move(id),
                      cap = http::query_param(req.query, "k"), as_guest = std::move(as_guest),
                      respond](app::chat_service&, app::file_service& files) {
    auto found = files.open(id, cap);
    // One answer for an unknown file and a wrong capability: no oracle for guessing.
    if (!found) return respond(refused(app::error::file_not_found));
    auto& rec = found->first;
    if (as_guest && *as_guest != rec.owner && *as_guest != rec.partner) {
      return respond(refused(app::error::file_forbidden));
    }
    const bool queued = sh->pool.post([sh, &req, rec = std::move(rec), respond] {
      std::shared_ptr<app::blob_store::reader> reader = sh->blobs.open(rec.id);
      if (!reader) return respond(refused(app::error::file_not_found));
      respond(file_response(req, rec, std::move(reader), sh->pool));
    });
    if (!queued) respond(refused(app::error::server_busy, "the server is busy; try again", 1000));
  });
}

}  // namespace hw::gateway
