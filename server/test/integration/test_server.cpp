// The realtime integration tests' server: the real hallway wiring (run_server) with a namespace
// "/" whose events exercise the transport features (see realtime_*.test.mjs and README.md).

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "runtime.hpp"
#include "socketio/socket.hpp"

namespace {

using hw::socketio::ack_fn;
using hw::socketio::event_args;
using hw::socketio::socket_ptr;
namespace json = boost::json;

/// Sockets the "keep-me" event holds. Owned by the handlers (so by the namespace): released
/// with the Socket.IO server, before the metrics registry their gauges live in.
struct kept_sockets {
  std::mutex mutex;
  std::vector<socket_ptr> sockets;
};

event_args one(json::value v) {
  event_args a;
  a.args.push_back(std::move(v));
  return a;
}

void setup(hw::socketio::server& io) {
  auto& nsp = io.of("/");
  nsp.use([](const socket_ptr& /*s*/, const json::object& auth, const hw::socketio::next_fn& next) {
    const auto* token = auth.if_contains("token");
    if (token != nullptr && token->is_string() && token->as_string() == "bad") {
      next(json::object{{"message", "unauthorized"}, {"data", {{"code", "token_invalid"}}}});
    } else {
      next(std::nullopt);
    }
  });
  nsp.on_connection([](const socket_ptr& s) {
    s->emit("hello", one(json::object{{"id", s->id()}, {"recovered", s->recovered()}}));
  });
  nsp.on("echo", [](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    s->emit("echo", a);
    if (ack) ack(a);
  });
  nsp.on("join", [](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    if (!a.args.empty() && a.args[0].is_string()) s->join(std::string(a.args[0].as_string()));
    if (ack) ack(one(true));
  });
  nsp.on("leave", [](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    if (!a.args.empty() && a.args[0].is_string()) s->leave(std::string(a.args[0].as_string()));
    if (ack) ack(one(true));
  });
  nsp.on("to-room", [&nsp](const socket_ptr& /*s*/, event_args& a, const ack_fn& /*ack*/) {
    if (a.args.size() < 2 || !a.args[0].is_string() || !a.args[1].is_string()) return;
    hw::socketio::broadcast_options to;
    to.rooms.emplace_back(a.args[0].as_string());
    const std::string event(a.args[1].as_string());
    event_args rest;
    rest.args = json::array(a.args.begin() + 2, a.args.end());
    rest.bin = a.bin;
    nsp.emit(to, event, std::move(rest));
  });
  nsp.on("server-ack", [](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    const auto ms = !a.args.empty() && a.args[0].is_number() ? a.args[0].to_number<double>() : 1000;
    hw::socketio::emit_options o;
    o.ack_timeout = std::chrono::milliseconds(static_cast<long>(ms));
    o.ack = [ack](std::optional<event_args> reply) {
      if (!ack) return;
      if (!reply) return ack(one(json::object{{"ok", false}, {"error", "timeout"}}));
      json::value v = reply->args.empty() ? json::value(nullptr) : reply->args[0];
      ack(one(json::object{{"ok", true}, {"reply", v}}));
    };
    s->emit("need-ack", one("please"), std::move(o));
  });
  nsp.on("flood", [](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    if (a.args.size() < 3 || !a.args[0].is_number() || !a.args[1].is_number()) return;
    const auto count = std::min<std::int64_t>(a.args[0].to_number<std::int64_t>(), 1'000'000);
    const auto size = std::min<std::int64_t>(a.args[1].to_number<std::int64_t>(), 1 << 20);
    const bool vol = a.args[2].is_bool() && a.args[2].as_bool();
    const std::string payload(static_cast<std::size_t>(std::max<std::int64_t>(size, 0)), 'x');
    std::int64_t queued = 0;
    std::int64_t dropped = 0;
    for (std::int64_t i = 0; i < count; ++i) {
      hw::socketio::emit_options o;
      o.is_volatile = vol;
      if (s->emit("flood-item", one(json::string(payload)), std::move(o))) {
        ++queued;
      } else {
        ++dropped;
      }
    }
    if (ack) ack(one(json::object{{"queued", queued}, {"dropped", dropped}}));
  });
  nsp.on("disconnect-me",
         [](const socket_ptr& s, event_args& /*a*/, const ack_fn& /*ack*/) { s->disconnect(); });
  // The app keeping its own references to sockets (as the chat gateway keeps its guests' for
  // minutes): what such a socket still holds once it left recovery (memory_socketio.test.mjs).
  auto kept = std::make_shared<kept_sockets>();
  nsp.on("keep-me", [kept](const socket_ptr& s, event_args& /*a*/, const ack_fn& ack) {
    std::lock_guard lock(kept->mutex);
    kept->sockets.push_back(s);
    if (ack) ack(one(true));
  });
  nsp.on("kept-stats", [kept](const socket_ptr& /*s*/, event_args& /*a*/, const ack_fn& ack) {
    std::lock_guard lock(kept->mutex);
    std::size_t packets = 0;
    std::size_t recoverable = 0;
    for (const auto& k : kept->sockets) {
      packets += k->buffered_packets();
      recoverable += k->recoverable() ? 1 : 0;
    }
    if (ack) {
      ack(one(json::object{
          {"count", kept->sockets.size()}, {"packets", packets}, {"recoverable", recoverable}}));
    }
  });
  nsp.on("release-kept", [kept](const socket_ptr& /*s*/, event_args& /*a*/, const ack_fn& ack) {
    std::vector<socket_ptr> released;
    {
      std::lock_guard lock(kept->mutex);
      released.swap(kept->sockets);
    }
    released.clear();  // outside the lock: a socket's destructor may run here
    if (ack) ack(one(true));
  });
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = hw::config::parse(args, hw::config::process_environment());
  if (!parsed.cfg) {
    std::fputs(parsed.output.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  // The realtime suites open hundreds of sessions from 127.0.0.1 in quick succession: the
  // per-address Engine.IO limits are off unless a test asks for them (abuse_engineio tests them
  // against the real binary).
  auto& cfg = *parsed.cfg;
  if (!cfg.given("max-sessions-per-ip")) cfg.max_sessions_per_ip = 0;
  if (!cfg.given("handshake-rate")) cfg.handshake_rate = {0, 0};
  return hw::run_server(cfg, setup);
}
