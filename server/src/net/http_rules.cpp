#include "net/http_rules.hpp"

#include <utility>

namespace hw::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool no_body_status(unsigned status) {
  return status < 200 || status == 204 || status == 304;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (http::iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool is_websocket_upgrade(const http::request& r) {
  return r.method == "GET" && has_token(r.headers.get("connection"), "upgrade") &&
         http::iequals(r.headers.get("upgrade"), "websocket");
}

body_head make_body_head(const http::request& r, bool has_body,
                         std::optional<std::uint64_t> content_length, unsigned version) {
  body_head h;
  h.has_body = has_body;
  h.content_length = content_length;
  h.http11 = version >= 11;
  h.expect_continue = http::iequals(trim(r.headers.get("expect")), "100-continue");
  return h;
}

body_decision decide_body(const http::body_plan& plan, const body_head& head,
                          std::uint64_t default_limit) {
  using action = body_decision::action;
  body_decision d;
  d.limit = plan.limit != 0 ? plan.limit : default_limit;
  if (plan.refusal) {
    d.what = action::refuse;
    return d;
  }
  // An announced length is judged before a byte of the body is read (and before 100 Continue
  // invites it); a chunked body is cut by the parser as soon as it passes the limit.
  if (head.content_length && *head.content_length > d.limit) {
    d.what = action::too_large;
    return d;
  }
  if (!head.has_body) {
    d.what = action::none;
    return d;
  }
  d.what = plan.sink ? action::stream : action::buffer;
  d.send_continue = head.expect_continue && head.http11;
  return d;
}

sink_slot::~sink_slot() {
  // The session is going away with the body unfinished (shutdown, a dropped callback): the
  // sink must still hear that the body will never complete. Nothing else runs on the session
  // any more, so this cannot overlap another call of ours.
  if (sink_) sink_->abort();
}

void sink_slot::reset(std::shared_ptr<http::body_sink> sink) {
  sink_ = std::move(sink);
  busy_ = false;
  abort_pending_ = false;
}

void sink_slot::write(std::span<const char> chunk, std::function<void(bool ok)> done) {
  busy_ = true;
  sink_->write(chunk, std::move(done));
}

bool sink_slot::written() {
  busy_ = false;
  if (abort_pending_) {
    abort_pending_ = false;
    abort();
    return false;
  }
  return sink_ != nullptr;
}

void sink_slot::finish(bool failed, http::respond_fn respond) {
  auto s = std::exchange(sink_, nullptr);
  if (s) s->finish(failed, std::move(respond));
}

void sink_slot::abort() {
  if (!sink_) return;
  if (busy_) {
    abort_pending_ = true;  // the sink still holds the chunk; it hears the abort after its done
    return;
  }
  auto s = std::exchange(sink_, nullptr);
  s->abort();
}

}  // namespace hw::net
