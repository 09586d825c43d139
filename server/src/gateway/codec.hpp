#pragma once
// Codecs between wire JSON and the domain's types, one per type, used by REST and realtime alike:
// decoders check JSON *types* and shapes (a wrong type is invalid_payload with its field); the
// domain checks *values* (app/validate.hpp). Encoders build every JSON object the gateway puts
// on the wire, so one domain type has one JSON form. No I/O, no sockets: unit-tested alone.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/chat_service.hpp"
#include "app/errors.hpp"
#include "app/guest.hpp"

namespace hw::gateway {

// ---- errors -------------------------------------------------------------------------------

/// invalid_payload for `field`: what every decoder answers.
app::chat_error invalid(std::string_view field, std::string_view message);
/// An ack refusal: `{ok:false, error:{code, message, field?, retryAfterMs?}}`.
boost::json::value encode_ack_error(const app::chat_error& e);
/// A CONNECT_ERROR payload: `{message, data:{code, message}}` (socket.io-client reads
/// err.message and err.data.code).
boost::json::object encode_connect_refusal(app::error e, std::string_view message = {});

// ---- guest --------------------------------------------------------------------------------

/// A guest's one JSON form, `{id, username, language (null when none), interests}`: the REST
/// `user` object, and what a realtime connection keeps of its guest.
boost::json::object encode_guest(const app::guest& g);
/// The inverse of encode_guest; nullopt when `v` is not that shape.
std::optional<app::guest> decode_guest(const boost::json::value& v);
/// connection:established `{userId, username}`.
boost::json::object encode_hello(const app::guest& g);

// ---- client payloads ----------------------------------------------------------------------

/// A decoded payload, or the invalid_payload refusal naming its field.
template <class T>
using decoded = app::chat_result<T>;

/// An event that carries no payload (anything sent is ignored, as before).
struct no_payload {};
decoded<no_payload> decode_nothing(const boost::json::object* payload);

/// user:match / user:next `{mode, interests?, language?, interestsOnly?}`. interests and language
/// are validated here (the REST rules) because they replace profile values.
struct match_request {
  app::match_mode mode = app::match_mode::text;
  std::optional<std::vector<std::string>> interests;
  std::optional<std::string> language;
  bool interests_only = false;
};
decoded<match_request> decode_match(const boost::json::object* payload);

/// chat:message `{id, type?: 'text', text}` or `{id, type: 'file'|'voice', fileId}`; id, text
/// and fileId are validated by the domain.
struct message_payload {
  std::string id;
  std::string text;
  app::message_type type = app::message_type::text;
  std::string file_id;
};
decoded<message_payload> decode_message(const boost::json::object* payload);

/// chat:delivered `{ids}`.
struct delivered_payload {
  std::vector<std::string> ids;
};
decoded<delivered_payload> decode_delivered(const boost::json::object* payload);

/// chat:read `{upTo}`.
struct read_payload {
  std::string up_to;
};
decoded<read_payload> decode_read(const boost::json::object* payload);

/// user:report `{reason, note?}` (a null note counts as absent). The note is only handed on
/// for validation: it is never kept or logged.
struct report_payload {
  std::string reason;
  std::optional<std::string> note;
};
decoded<report_payload> decode_report(const boost::json::object* payload);

/// POST /api/guest `{username?, language?, interests?}`: each field checked in that order, type
/// then value (a null field counts as absent). `username` is nullopt when absent or empty (the
/// REST handler then generates one).
struct guest_request {
  std::optional<std::string> username;
  std::string language;
  std::vector<std::string> interests;
};
decoded<guest_request> decode_guest_request(const boost::json::object& body,
                                            std::size_t max_interests);

/// webrtc:offer `{offer:{type:'offer', sdp}, callType:'audio'|'video'}` and webrtc:answer
/// `{answer:{type:'answer', sdp}}`: the SDP is opaque here (the domain checks size and privacy).
struct offer_payload {
  app::call_type type = app::call_type::audio;
  std::string sdp;
};
decoded<offer_payload> decode_offer(const boost::json::object* payload);
struct answer_payload {
  std::string sdp;
};
decoded<answer_payload> decode_answer(const boost::json::object* payload);
/// webrtc:ice-candidate `{candidate:{candidate, sdpMid?, sdpMLineIndex?, usernameFragment?}}`.
decoded<app::ice_candidate> decode_candidate(const boost::json::object* payload);
/// webrtc:video-reveal `{reveal: boolean}`.
struct reveal_payload {
  bool reveal = false;
};
decoded<reveal_payload> decode_reveal(const boost::json::object* payload);

// ---- domain → JSON ------------------------------------------------------------------------

/// `{online, searching, chatting}`: realtime:stats, GET /api/stats and the stats:get ack.
boost::json::object encode_stats(const app::stats_snapshot& s);
/// chat:message (server → client) `{id, type:'text', text, timestamp}`, or for a file
/// `{id, type:'file'|'voice', file:{name, size, mime, kind, url, duration?}, timestamp}` (url:
/// the recipient's capability URL, file_url()).
boost::json::object encode_message(const app::chat_message& m);
/// `/api/files/<id>?k=<capability>`: where a guest downloads a file (relative to the server).
std::string file_url(std::string_view file_id, std::string_view capability);
/// The `file` object of a message and the upload answer's common fields.
boost::json::object encode_file(const app::attachment& a);
/// user:matched `{roomId, mode, partner:{username, language|null}, commonInterests, polite}`.
boost::json::object encode_matched(const app::matched_event& e);
/// chat:message:delivered `{ids}`.
boost::json::object encode_delivered(const std::vector<std::string>& ids);
/// chat:message:read `{upTo}`.
boost::json::object encode_read(std::string_view up_to);
/// chat:ended `{reason}`.
boost::json::object encode_ended(std::string_view reason);
/// The event name and payload of a call signal (webrtc:*, with `from`: the sender's user id).
std::pair<std::string_view, boost::json::object> encode_call(const app::call_signal& s);
/// partner:connection `{state}`.
boost::json::object encode_partner_connection(std::string_view state);

// ---- acks ---------------------------------------------------------------------------------

/// The answer of user:match / user:next: `fallback_in` is sent (`fallbackInMs`, null when the
/// guest waits for a shared interest only) while searching, and left out otherwise.
struct search_reply {
  app::match_state state = app::match_state::idle;
  std::optional<std::chrono::milliseconds> fallback_in;
};

std::string_view to_string(app::match_state s);

/// The fields a success ack adds to `ok:true`, per result type (the documented ack shapes).
boost::json::object ack_fields(const app::none& r);
boost::json::object ack_fields(const app::report_outcome& r);
boost::json::object ack_fields(const app::match_state& r);
boost::json::object ack_fields(const search_reply& r);
boost::json::object ack_fields(const app::chat_message& r);
boost::json::object ack_fields(const app::stats_snapshot& r);

/// `{ok:true, ...ack_fields}` or the refusal.
template <class T>
boost::json::value encode_ack(const app::chat_result<T>& r) {
  if (!r.value) return encode_ack_error(r.error);
  auto fields = ack_fields(*r.value);
  fields["ok"] = true;
  return fields;
}

}  // namespace hw::gateway
