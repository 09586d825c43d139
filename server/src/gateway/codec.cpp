#include "gateway/codec.hpp"

#include <utility>

#include "app/validate.hpp"

namespace hw::gateway {

namespace json = boost::json;

namespace {

template <class T>
decoded<T> refuse(std::string_view field, std::string_view message) {
  return {std::nullopt, invalid(field, message)};
}

template <class T>
decoded<T> accept(T v) {
  return {std::move(v), {}};
}

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  out.reserve(v.size());
  for (const auto& s : v)
    out.emplace_back(s);
  return out;
}

json::value string_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

/// An optional string field: absent or null → nullopt; another type → `wrong_type`.
decoded<std::optional<std::string>> optional_string(const json::object& o, std::string_view key,
                                                    std::string_view wrong_type) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return accept<std::optional<std::string>>(std::nullopt);
  if (!v->is_string()) return refuse<std::optional<std::string>>(key, wrong_type);
  return accept<std::optional<std::string>>(std::string(v->as_string()));
}

/// `language`: absent or null → nullopt; else a string that passes validate_language.
decoded<std::optional<std::string>> decode_language(const json::object& o) {
  auto s = optional_string(o, "language", "must be a string");
  if (!s.value || !*s.value) return s;
  auto v = app::validate_language(**s.value);
  if (!v) return refuse<std::optional<std::string>>(v.field, v.message);
  return accept<std::optional<std::string>>(std::move(v.value));
}

/// `interests`: absent or null → nullopt; else strings that pass validate_interests.
decoded<std::optional<std::vector<std::string>>> decode_interests(const json::object& o,
                                                                  std::size_t max_count) {
  using R = std::optional<std::vector<std::string>>;
  const auto* i = o.if_contains("interests");
  if (i == nullptr || i->is_null()) return accept<R>(std::nullopt);
  if (!i->is_array()) return refuse<R>("interests", "must be an array of strings");
  std::vector<std::string> raw;
  for (const auto& t : i->as_array()) {
    if (!t.is_string()) return refuse<R>("interests", "must be an array of strings");
    raw.emplace_back(t.as_string());
  }
  auto v = app::validate_interests(raw, max_count);
  if (!v) return refuse<R>(v.field, v.message);
  return accept<R>(std::move(v.value));
}

}  // namespace

// ---- errors -------------------------------------------------------------------------------

app::chat_error invalid(std::string_view field, std::string_view message) {
  return app::chat_error::of(app::error::invalid_payload, message, field);
}

json::value encode_ack_error(const app::chat_error& e) {
  json::object err{{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  if (e.retry_after_ms >= 0) err["retryAfterMs"] = e.retry_after_ms;
  return json::object{{"ok", false}, {"error", std::move(err)}};
}

json::object encode_connect_refusal(app::error e, std::string_view message) {
  const auto text = message.empty() ? app::message(e) : message;
  return json::object{{"message", text}, {"data", {{"code", app::code(e)}, {"message", text}}}};
}

// ---- guest --------------------------------------------------------------------------------

json::object encode_guest(const app::guest& g) {
  return json::object{{"id", g.id},
                      {"username", g.username},
                      {"language", string_or_null(g.language)},
                      {"interests", strings(g.interests)}};
}

std::optional<app::guest> decode_guest(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  const auto* id = o->if_contains("id");
  const auto* name = o->if_contains("username");
  const auto* lang = o->if_contains("language");
  const auto* interests = o->if_contains("interests");
  if (id == nullptr || !id->is_string() || name == nullptr || !name->is_string() ||
      lang == nullptr || !(lang->is_string() || lang->is_null()) || interests == nullptr ||
      !interests->is_array()) {
    return std::nullopt;
  }
  app::guest g{std::string(id->as_string()),
               std::string(name->as_string()),
               lang->is_string() ? std::string(lang->as_string()) : std::string(),
               {}};
  for (const auto& i : interests->as_array()) {
    if (!i.is_string()) return std::nullopt;
    g.interests.emplace_back(i.as_string());
  }
  return g;
}

json::object encode_hello(const app::guest& g) {
  return json::object{{"userId", g.id}, {"username", g.username}};
}

// ---- client payloads ----------------------------------------------------------------------

decoded<no_payload> decode_nothing(const json::object* /*payload*/) {
  return accept(no_payload{});
}

decoded<match_request> decode_match(const json::object* o) {
  if (o == nullptr) {
    return refuse<match_request>("payload", "expected an object {mode, interests?, language?}");
  }
  match_request out;
  const auto* mode = o->if_contains("mode");
  std::optional<app::match_mode> m;
  if (mode != nullptr && mode->is_string()) m = app::parse_match_mode(mode->as_string());
  if (!m) return refuse<match_request>("mode", "mode must be 'text' or 'video'");
  out.mode = *m;
  auto interests = decode_interests(*o, app::interests_max_default);
  if (!interests.value) return {std::nullopt, std::move(interests.error)};
  out.interests = std::move(*interests.value);
  auto language = decode_language(*o);
  if (!language.value) return {std::nullopt, std::move(language.error)};
  out.language = std::move(*language.value);
  // Strictly a boolean when present (null too is refused): a client that means "interests only"
  // must not silently get the fallback.
  if (const auto* io = o->if_contains("interestsOnly"); io != nullptr) {
    if (!io->is_bool())
      return refuse<match_request>("interestsOnly", "interestsOnly must be a boolean");
    out.interests_only = io->as_bool();
  }
  return accept(std::move(out));
}

decoded<message_payload> decode_message(const json::object* o) {
  if (o == nullptr)
    return refuse<message_payload>("payload", "expected an object {id, type, text}");
  const auto* id = o->if_contains("id");
  if (id == nullptr || !id->is_string())
    return refuse<message_payload>("id", "id must be a UUID string");
  message_payload out{std::string(id->as_string()), {}, app::message_type::text, {}};
  const auto* type = o->if_contains("type");
  if (type != nullptr) {
    const std::string_view t = type->is_string() ? std::string_view(type->as_string()) : "";
    if (t == "file" || t == "voice") {
      out.type = t == "file" ? app::message_type::file : app::message_type::voice;
      const auto* file = o->if_contains("fileId");
      if (file == nullptr || !file->is_string())
        return refuse<message_payload>("fileId", "fileId must be a string");
      out.file_id = std::string(file->as_string());
      return accept(std::move(out));
    }
    if (t != "text")
      return refuse<message_payload>("type", "type must be 'text', 'file' or 'voice'");
  }
  const auto* text = o->if_contains("text");
  if (text == nullptr || !text->is_string())
    return refuse<message_payload>("text", "text must be a string");
  out.text = std::string(text->as_string());
  return accept(std::move(out));
}

decoded<delivered_payload> decode_delivered(const json::object* o) {
  const auto* ids = o != nullptr ? o->if_contains("ids") : nullptr;
  if (ids == nullptr || !ids->is_array())
    return refuse<delivered_payload>("ids", "ids must be an array");
  delivered_payload out;
  for (const auto& i : ids->as_array()) {
    if (!i.is_string()) return refuse<delivered_payload>("ids", "ids must be UUID strings");
    out.ids.emplace_back(i.as_string());
  }
  return accept(std::move(out));
}

decoded<read_payload> decode_read(const json::object* o) {
  const auto* up = o != nullptr ? o->if_contains("upTo") : nullptr;
  if (up == nullptr || !up->is_string())
    return refuse<read_payload>("upTo", "upTo must be a UUID string");
  return accept(read_payload{std::string(up->as_string())});
}

decoded<report_payload> decode_report(const json::object* o) {
  if (o == nullptr) return refuse<report_payload>("payload", "expected an object {reason, note?}");
  const auto* reason = o->if_contains("reason");
  if (reason == nullptr || !reason->is_string())
    return refuse<report_payload>("reason", "reason is required");
  auto note = optional_string(*o, "note", "note must be a string");
  if (!note.value) return {std::nullopt, std::move(note.error)};
  return accept(report_payload{std::string(reason->as_string()), std::move(*note.value)});
}

decoded<guest_request> decode_guest_request(const json::object& body, std::size_t max_interests) {
  guest_request out;
  auto name = optional_string(body, "username", "must be a string");
  if (!name.value) return {std::nullopt, std::move(name.error)};
  // An empty name counts as absent (web forms send "" for a field left blank).
  if (*name.value && !(*name.value)->empty()) {
    auto v = app::validate_username(**name.value);
    if (!v) return refuse<guest_request>(v.field, v.message);
    out.username = std::move(v.value);
  }
  auto language = decode_language(body);
  if (!language.value) return {std::nullopt, std::move(language.error)};
  out.language = language.value->value_or(std::string());
  auto interests = decode_interests(body, max_interests);
  if (!interests.value) return {std::nullopt, std::move(interests.error)};
  out.interests = interests.value->value_or(std::vector<std::string>());
  return accept(std::move(out));
}

// ---- domain → JSON ------------------------------------------------------------------------

json::object encode_stats(const app::stats_snapshot& s) {
  return json::object{{"online", s.online}, {"searching", s.searching}, {"chatting", s.chatting}};
}

json::object encode_message(const app::chat_message& m) {
  if (m.file) {
    return json::object{{"id", m.id},
                        {"type", app::to_string(m.type)},
                        {"file", encode_file(*m.file)},
                        {"timestamp", m.timestamp}};
  }
  return json::object{{"id", m.id}, {"type", "text"}, {"text", m.text}, {"timestamp", m.timestamp}};
}

std::string file_url(std::string_view file_id, std::string_view capability) {
  std::string url = "/api/files/";
  url.append(file_id).append("?k=").append(capability);
  return url;
}

json::object encode_file(const app::attachment& a) {
  json::object f{{"name", a.name},
                 {"size", a.size},
                 {"mime", a.mime},
                 {"kind", app::to_string(a.kind)},
                 {"url", file_url(a.file_id, a.capability)}};
  // Seconds, as the upload declared them (X-Voice-Duration), to the millisecond.
  if (a.duration) f["duration"] = static_cast<double>(a.duration->count()) / 1000.0;
  return f;
}

json::object encode_matched(const app::matched_event& e) {
  return json::object{
      {"roomId", e.room_id},
      {"mode", app::to_string(e.mode)},
      {"partner",
       {{"username", e.partner_username}, {"language", string_or_null(e.partner_language)}}},
      {"commonInterests", strings(e.common_interests)},
      {"polite", e.polite}};
}

json::object encode_delivered(const std::vector<std::string>& ids) {
  return json::object{{"ids", strings(ids)}};
}

json::object encode_read(std::string_view up_to) {
  return json::object{{"upTo", up_to}};
}

json::object encode_ended(std::string_view reason) {
  return json::object{{"reason", reason}};
}

json::object encode_partner_connection(std::string_view state) {
  return json::object{{"state", state}};
}

// ---- acks ---------------------------------------------------------------------------------

std::string_view to_string(app::match_state s) {
  switch (s) {
    case app::match_state::searching:
      return "searching";
    case app::match_state::matched:
      return "matched";
    case app::match_state::idle:
      return "idle";
  }
  return "idle";
}

json::object ack_fields(const app::none& /*r*/) {
  return {};
}

json::object ack_fields(const app::report_outcome& /*r*/) {
  return {};  // how the report counted is for the metric, not for the reporter
}

json::object ack_fields(const app::match_state& r) {
  return json::object{{"state", to_string(r)}};
}

json::object ack_fields(const search_reply& r) {
  json::object out{{"state", to_string(r.state)}};
  if (r.state == app::match_state::searching) {
    out["fallbackInMs"] =
        r.fallback_in ? json::value(r.fallback_in->count()) : json::value(nullptr);
  }
  return out;
}

json::object ack_fields(const app::chat_message& r) {
  return json::object{{"id", r.id}, {"timestamp", r.timestamp}};
}

json::object ack_fields(const app::stats_snapshot& r) {
  return encode_stats(r);
}

}  // namespace hw::gateway
