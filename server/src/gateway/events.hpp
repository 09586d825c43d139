#pragma once
// The realtime event names of namespace "/" (docs/protocol.md §3): every name the server accepts
// from clients and every name it emits. The gateway uses these constants only. What a client may
// send is the event table (event_table.hpp: one row per name, aliases included); what the server
// emits is `server` below. `hallway --list-events` prints both, so the protocol document, the
// server and the web client's event map can be checked against one another. A name used in both
// directions (chat:message, chat:typing:start/stop) is one constant.

#include <array>
#include <string>
#include <string_view>

namespace hw::gateway::events {

// Client → server (each takes an ack).
inline constexpr std::string_view user_match = "user:match";
inline constexpr std::string_view user_match_cancel = "user:match:cancel";
inline constexpr std::string_view user_next = "user:next";
inline constexpr std::string_view user_report = "user:report";
inline constexpr std::string_view chat_message = "chat:message";  // also server → client
inline constexpr std::string_view chat_delivered = "chat:delivered";
inline constexpr std::string_view chat_read = "chat:read";
inline constexpr std::string_view chat_typing_start = "chat:typing:start";  // both directions
inline constexpr std::string_view chat_typing_stop = "chat:typing:stop";    // both directions
inline constexpr std::string_view chat_leave = "chat:leave";
inline constexpr std::string_view stats_get = "stats:get";
// Calls (docs/protocol.md §5); offer, answer, candidate, end, reject and reveal go both ways.
inline constexpr std::string_view webrtc_offer = "webrtc:offer";
inline constexpr std::string_view webrtc_answer = "webrtc:answer";
inline constexpr std::string_view webrtc_candidate = "webrtc:ice-candidate";
inline constexpr std::string_view webrtc_end = "webrtc:call-end";
inline constexpr std::string_view webrtc_reject = "webrtc:call-reject";
inline constexpr std::string_view webrtc_reveal = "webrtc:video-reveal";
/// chat:leave and the names older clients use for it.
inline constexpr std::array<std::string_view, 4> chat_leave_aliases = {chat_leave, "chat:clear",
                                                                       "leave-room", "close-room"};

// Server → client.
inline constexpr std::string_view connection_established = "connection:established";
inline constexpr std::string_view user_matched = "user:matched";
inline constexpr std::string_view chat_message_delivered = "chat:message:delivered";
inline constexpr std::string_view chat_message_read = "chat:message:read";
inline constexpr std::string_view chat_ended = "chat:ended";
inline constexpr std::string_view partner_connection = "partner:connection";
inline constexpr std::string_view realtime_stats = "realtime:stats";
inline constexpr std::string_view webrtc_timeout = "webrtc:call-timeout";

/// Every event the server emits.
inline constexpr std::array<std::string_view, 17> server = {
    connection_established, user_matched,      chat_message,     chat_message_delivered,
    chat_message_read,      chat_typing_start, chat_typing_stop, chat_ended,
    partner_connection,     realtime_stats,    webrtc_offer,     webrtc_answer,
    webrtc_candidate,       webrtc_end,        webrtc_reject,    webrtc_reveal,
    webrtc_timeout};

/// `{"client":[...],"server":[...]}` (one line, with a newline): what --list-events prints;
/// `client` is the event table's names in its order.
std::string list_json();

}  // namespace hw::gateway::events
