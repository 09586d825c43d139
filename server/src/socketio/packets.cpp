#include "socketio/packets.hpp"

#include "protocol/engineio.hpp"

namespace hw::socketio {

namespace sio = protocol::sio;
namespace eio = protocol::eio;

engineio::outgoing to_engineio(const sio::packet& p, attachments bin, bool is_volatile) {
  // The Engine.IO message type first, then the Socket.IO packet appended in place: one string,
  // shared by every queue it goes to.
  std::string text;
  eio::encode_text(text, eio::packet_type::message);
  sio::encode(text, p);
  engineio::outgoing out;
  out.text = std::make_shared<const std::string>(std::move(text));
  out.binaries = std::move(bin);
  out.is_volatile = is_volatile;
  return out;
}

engineio::outgoing event_packet(std::string_view nsp, std::string_view event,
                                const event_args& args, std::optional<std::uint64_t> ack_id,
                                std::uint64_t offset, bool is_volatile) {
  sio::packet p;
  p.type = args.bin.empty() ? sio::packet_type::event : sio::packet_type::binary_event;
  p.nsp = std::string(nsp);
  p.id = ack_id;
  boost::json::array data;
  data.reserve(args.args.size() + 2);
  data.emplace_back(event);
  for (const auto& a : args.args)
    data.push_back(a);
  if (offset != 0) data.emplace_back(std::to_string(offset));  // socket.io: offset goes last
  p.data = std::move(data);
  p.has_data = true;
  p.attachments = args.bin.size();
  return to_engineio(p, args.bin, is_volatile);
}

engineio::outgoing ack_packet(std::string_view nsp, std::uint64_t id, event_args reply) {
  sio::packet p;
  p.type = reply.bin.empty() ? sio::packet_type::ack : sio::packet_type::binary_ack;
  p.nsp = std::string(nsp);
  p.id = id;
  p.data = std::move(reply.args);
  p.has_data = true;
  p.attachments = reply.bin.size();
  return to_engineio(p, std::move(reply.bin));
}

engineio::outgoing connect_packet(std::string_view nsp, std::string_view sid,
                                  std::string_view pid) {
  sio::packet p;
  p.type = sio::packet_type::connect;
  p.nsp = std::string(nsp);
  boost::json::object data{{"sid", sid}};
  if (!pid.empty()) data["pid"] = pid;
  p.data = std::move(data);
  p.has_data = true;
  return to_engineio(p);
}

engineio::outgoing connect_error_packet(std::string_view nsp, boost::json::object error) {
  sio::packet p;
  p.type = sio::packet_type::connect_error;
  p.nsp = std::string(nsp);
  p.data = std::move(error);
  p.has_data = true;
  return to_engineio(p);
}

engineio::outgoing disconnect_packet(std::string_view nsp) {
  sio::packet p;
  p.type = sio::packet_type::disconnect;
  p.nsp = std::string(nsp);
  return to_engineio(p);
}

}  // namespace hw::socketio
