#pragma once
// Every packet the server sends, built in one place, and the one function that hands a Socket.IO
// packet to Engine.IO (to_engineio): nothing else in socketio/ knows Engine.IO's framing. The
// result is shared, so a broadcast is encoded once for all its recipients.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engineio/session.hpp"
#include "protocol/socketio.hpp"
#include "socketio/namespace.hpp"

namespace hw::socketio {

/// A Socket.IO packet as Engine.IO messages: one text message carrying the encoded packet,
/// then each of `bin` (the packet's attachments, p.attachments of them) as a binary message.
engineio::outgoing to_engineio(const protocol::sio::packet& p, attachments bin = {},
                               bool is_volatile = false);

/// EVENT (BINARY_EVENT with attachments) `event` with `args` on namespace `nsp`. `ack_id` asks
/// the client for an ack; a non-zero recovery `offset` goes last among the arguments (socket.io).
engineio::outgoing event_packet(std::string_view nsp, std::string_view event,
                                const event_args& args, std::optional<std::uint64_t> ack_id,
                                std::uint64_t offset, bool is_volatile);
/// ACK (BINARY_ACK with attachments) answering the client's event `id`.
engineio::outgoing ack_packet(std::string_view nsp, std::uint64_t id, event_args reply);
/// CONNECT accepting a socket: its id, and its recovery pid when it has one.
engineio::outgoing connect_packet(std::string_view nsp, std::string_view sid, std::string_view pid);
/// CONNECT_ERROR refusing a CONNECT: {message, data?} (a middleware's refusal, or the server's).
engineio::outgoing connect_error_packet(std::string_view nsp, boost::json::object error);
/// DISCONNECT: the server ends the socket.
engineio::outgoing disconnect_packet(std::string_view nsp);

}  // namespace hw::socketio
