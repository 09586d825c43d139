#include "socketio/connection.hpp"

namespace hw::socketio {

namespace {

class session_connection final : public connection {
 public:
  explicit session_connection(std::shared_ptr<engineio::session> s) : session_(std::move(s)) {}
  [[nodiscard]] boost::asio::any_io_executor executor() const override {
    return session_->executor();
  }
  net::send_result send(engineio::outgoing msg) override { return session_->send(std::move(msg)); }
  void close(std::string reason) override { session_->close(std::move(reason)); }
  engineio::input_hold hold_input() override { return session_->hold_input(); }

 private:
  std::shared_ptr<engineio::session> session_;
};

}  // namespace

connection_ptr over_session(std::shared_ptr<engineio::session> s) {
  return std::make_shared<session_connection>(std::move(s));
}

}  // namespace hw::socketio
