#include "conformance.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "socketio/socket.hpp"

namespace hw {

namespace {

class echo_listener final : public engineio::listener {
 public:
  explicit echo_listener(std::shared_ptr<engineio::session> s) : session_(std::move(s)) {}
  void on_message(std::string_view data, bool binary) override {
    if (!session_) return;
    engineio::outgoing out;
    if (binary) {
      out.binaries.push_back(std::make_shared<const std::string>(data));
    } else {
      out.text = std::make_shared<const std::string>("4" + std::string(data));
    }
    session_->send(std::move(out));
  }
  void on_close(std::string_view /*reason*/) override { session_.reset(); }

 private:
  std::shared_ptr<engineio::session> session_;
};

void emit_auth(const socketio::socket_ptr& s) {
  socketio::event_args a;
  a.args.push_back(s->auth());
  s->emit("auth", a);
}

}  // namespace

void apply_conformance_defaults(config::config& cfg) {
  const auto def = [&cfg](std::string_view name, auto& field, auto value) {
    if (!cfg.given(name)) field = value;
  };
  def("ping-interval", cfg.ping_interval, config::millis{300});
  def("ping-timeout", cfg.ping_timeout, config::millis{200});
  def("max-payload", cfg.max_payload, std::size_t{1'000'000});
  def("connect-timeout", cfg.connect_timeout, config::millis{1000});
  def("recovery-window", cfg.recovery_window, config::millis{0});
  def("allowed-origins", cfg.allowed_origins, std::vector<std::string>{"*"});
  // The suites open many sessions from one address in quick succession.
  def("max-sessions-per-ip", cfg.max_sessions_per_ip, std::size_t{0});
  def("handshake-rate", cfg.handshake_rate, config::rate{0, 0});
}

std::unique_ptr<engineio::server> make_echo_engine(boost::asio::io_context& ioc,
                                                   const engineio::options& opts) {
  return std::make_unique<engineio::server>(ioc, opts, [](std::shared_ptr<engineio::session> s) {
    return std::make_shared<echo_listener>(std::move(s));
  });
}

void setup_conformance(socketio::server& io) {
  auto& root = io.of("/");
  root.on_connection(emit_auth);
  root.on("message", [](const socketio::socket_ptr& s, socketio::event_args& args,
                        const socketio::ack_fn& /*ack*/) { s->emit("message-back", args); });
  root.on("message-with-ack", [](const socketio::socket_ptr& /*s*/, socketio::event_args& args,
                                 const socketio::ack_fn& ack) {
    if (ack) ack(args);
  });
  io.of("/custom").on_connection(emit_auth);
}

}  // namespace hw
