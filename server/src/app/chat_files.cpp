// chat_service's file messages (chat:message type file/voice), apart from the text path in
// chat_service.cpp: the same dedupe, rate limit and relay, with the metadata taken from the
// file domain's record.

#include "app/chat_service.hpp"

namespace hw::app {

std::string_view to_string(message_type t) {
  switch (t) {
    case message_type::text:
      return "text";
    case message_type::file:
      return "file";
    case message_type::voice:
      return "voice";
  }
  return "text";
}

std::optional<std::pair<std::string, std::string>> chat_service::room_and_partner(
    const std::string& guest_id) const {
  auto room = pairs_.room_of(guest_id);
  auto partner = pairs_.partner_of(guest_id);
  if (!room || !partner) return std::nullopt;
  return std::pair{std::move(*room), std::move(*partner)};
}

chat_result<chat_message> chat_service::send_file(const std::string& guest_id, std::string_view id,
                                                  message_type type, std::string_view file_id) {
  using R = chat_result<chat_message>;
  state* s = find_active(guest_id);
  if (s == nullptr) return R::fail(error::not_connected);
  auto vid = validate_message_id(id);
  if (!vid) return R::fail(vid);
  active_state& mine = *s->active;
  if (auto dup = mine.sent.find(vid.value); dup != mine.sent.end()) {
    return R::ok({vid.value,
                  {},
                  dup->second,
                  type,
                  std::nullopt});  // a retry: acknowledged again, relayed once
  }
  const auto room = pairs_.room_of(guest_id);
  const auto partner = pairs_.partner_of(guest_id);
  if (!room || !partner) return R::fail(error::not_in_chat);
  const auto rec =
      files_ == nullptr ? std::nullopt : files_->attachable(guest_id, *room, std::string(file_id));
  if (!rec) {
    count_refusal(*s);
    return R::fail(error::file_not_found, "no file of yours with this id in this chat", "fileId");
  }
  const bool voice = rec->type.kind == file_kind::voice;
  if (voice != (type == message_type::voice)) {
    count_refusal(*s);
    return R::fail(error::invalid_payload,
                   voice ? "this file is a voice note: type must be 'voice'"
                         : "this file is not a voice note: type must be 'file'",
                   "type");
  }
  if (auto e = limited(*s, s->messages, true); !e.code.empty()) return {std::nullopt, e};

  chat_message m{vid.value, {}, clock_.unix_ms(), type, std::nullopt};
  m.file = attachment{rec->id,        rec->name,     rec->size,       rec->type.mime,
                      rec->type.kind, rec->duration, rec->partner_cap};
  relay(*partner, mine, m);
  return R::ok(std::move(m));
}

}  // namespace hw::app
