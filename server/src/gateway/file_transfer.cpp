#include "gateway/file_transfer.hpp"

#include <boost/json.hpp>
#include <utility>

#include "app/file_types.hpp"
#include "gateway/codec.hpp"
#include "gateway/rest.hpp"
#include "http/ranges.hpp"

namespace hw::gateway {

namespace json = boost::json;

// ---- files_rest::shared --------------------------------------------------------------------

void files_rest::shared::on_strand(
    std::function<void(app::chat_service&, app::file_service&)> task) {
  const std::lock_guard lock(mutex_);
  if (!alive_) return;
  chat.post([&files = files, task = std::move(task)](app::chat_service& c) { task(c, files); });
}

void files_rest::shared::count(upload_outcome o) const {
  if (auto* c = outcomes[static_cast<std::size_t>(o)]) c->inc();
}

void files_rest::shared::close() {
  const std::lock_guard lock(mutex_);
  alive_ = false;
}

json::object encode_upload(const app::file_record& r) {
  const app::attachment a{r.id, r.name, r.size, r.type.mime, r.type.kind, r.duration, r.owner_cap};
  auto out = encode_file(a);
  out["fileId"] = r.id;
  out["expiresAt"] = r.expires_at_ms;
  return out;
}

// ---- upload_sink ---------------------------------------------------------------------------

upload_sink::upload_sink(std::shared_ptr<files_rest::shared> sh, app::upload_ticket ticket,
                         std::string file_id, upload_request req,
                         std::unique_ptr<app::blob_store::writer> writer)
    : sh_(std::move(sh)),
      ticket_(std::move(ticket)),
      file_id_(std::move(file_id)),
      req_(std::move(req)),
      writer_(std::move(writer)) {}

upload_sink::~upload_sink() {
  // A sink net/ dropped without finish() or abort() (a connection torn down at shutdown) still
  // gives its reservation back; the writer's destructor removes the partial blob.
  end(upload_outcome::aborted);
}

void upload_sink::end(upload_outcome o) {
  if (ended_.exchange(true)) return;
  sh_->count(o);
  sh_->on_strand([t = ticket_](app::chat_service&, app::file_service& f) { f.end_upload(t); });
}

void upload_sink::write(std::span<const char> chunk, std::function<void(bool ok)> done) {
  const bool queued = sh_->pool.post([self = shared_from_this(), chunk, done] {
    const bool ok = self->writer_ != nullptr && self->writer_->append(chunk);
    done(ok);
  });
  if (!queued) done(false);
}

void upload_sink::abort() {
  end(upload_outcome::aborted);
  // The unlink of the partial blob is disk work: on the pool (or here if the pool refuses).
  auto self = shared_from_this();
  if (!sh_->pool.post([self] { self->writer_.reset(); })) writer_.reset();
}

void upload_sink::finish(bool failed, http::respond_fn respond) {
  if (failed) {
    end(upload_outcome::no_space);
    respond(personal_error(app::error::insufficient_storage, "the file could not be stored"));
    sh_->pool.post([self = shared_from_this()] { self->writer_.reset(); });
    return;
  }
  const bool queued =
      sh_->pool.post([self = shared_from_this(), respond] { self->store(respond); });
  if (!queued) {
    end(upload_outcome::failed);
    respond(personal_error(app::error::server_busy, "the server is busy storing files"));
  }
}

void upload_sink::store(const http::respond_fn& respond) {
  const auto size = writer_->written();
  if (size == 0) {
    writer_.reset();
    end(upload_outcome::invalid);
    return respond(personal_error(app::error::invalid_payload, "the file is empty", "body"));
  }
  const bool committed = writer_->commit(file_id_);
  writer_.reset();
  auto reader = committed ? sh_->blobs.open(file_id_) : nullptr;
  if (!reader) {
    end(upload_outcome::failed);
    return respond(
        personal_error(app::error::insufficient_storage, "the file could not be stored"));
  }
  // Only the bytes decide what the file is; the declared type may only refine its container.
  const auto detected = sh_->sniffer.sniff(*reader);
  reader.reset();
  auto type = app::classify_file(detected, req_.declared_type, req_.voice.has_value());
  if (!type) {
    sh_->blobs.remove(file_id_);
    end(upload_outcome::type_refused);
    const auto what = req_.voice ? "a voice note must be audio; this is " + detected
                                 : "files of type " + detected + " cannot be shared";
    return respond(personal_error(app::error::file_type_not_allowed, what));
  }
  record(app::upload_result{req_.name, size, std::move(*type), req_.voice}, respond);
}

void upload_sink::record(app::upload_result r, const http::respond_fn& respond) {
  sh_->on_strand([self = shared_from_this(), r = std::move(r), respond](
                     app::chat_service& chat, app::file_service& files) mutable {
    const auto room = chat.room_and_partner(self->ticket_.guest);
    app::file_record rec;
    auto refused =
        files.add(self->ticket_, room ? room->first : std::string(),
                  room ? room->second : std::string(), self->file_id_, std::move(r), rec);
    if (refused) {
      self->sh_->pool.post([sh = self->sh_, id = self->file_id_] { sh->blobs.remove(id); });
      self->end(refused->code == app::error::not_in_chat ? upload_outcome::not_in_chat
                                                         : upload_outcome::failed);
      return respond(personal_error(refused->code, refused->message));
    }
    self->end(upload_outcome::stored);
    respond(personal_json(201, encode_upload(rec)));
  });
}

// ---- downloads -----------------------------------------------------------------------------

http::response file_response(const http::request& req, const app::file_record& rec,
                             std::shared_ptr<app::blob_store::reader> reader,
                             core::blocking_pool& pool) {
  // The id names immutable bytes: it is a strong validator.
  const http::entity e{reader->size(), "\"" + rec.id + "\"", rec.type.mime};
  auto answer = http::answer_entity(req, e);
  auto& res = answer.res;
  auto& h = res.headers;
  h.set("content-disposition", http::content_disposition(rec.type.inline_ok, rec.name));
  h.set("x-content-type-options", "nosniff");
  // Even a file a browser would render runs nothing and reaches nothing.
  h.set("content-security-policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'");
  h.set("cache-control", "private, no-store");
  h.set("referrer-policy", "no-referrer");
  h.set("cross-origin-resource-policy", "same-origin");
  if (res.status == 200 || res.status == 206) {
    res.stream_body =
        std::make_shared<blob_source>(std::move(reader), answer.offset, answer.length, pool);
    res.head_only = req.method == "HEAD";
  }
  return res;
}

// ---- blob_source ---------------------------------------------------------------------------

blob_source::blob_source(std::shared_ptr<app::blob_store::reader> reader, std::uint64_t offset,
                         std::uint64_t length, core::blocking_pool& pool)
    : reader_(std::move(reader)), offset_(offset), length_(length), pool_(pool) {}

void blob_source::read(std::span<char> buf, std::function<void(std::size_t n)> done) {
  const auto left = length_ - sent_;
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
  // The task holds the source: net/ may drop the response while a read is on the pool.
  const bool queued = pool_.post([self = shared_from_this(), buf = buf.first(want), done] {
    const auto n = self->reader_->read(self->offset_ + self->sent_, buf);
    self->sent_ += n;
    done(n);
  });
  if (!queued) done(0);
}

}  // namespace hw::gateway
