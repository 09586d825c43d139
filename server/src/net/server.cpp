#include "net/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "net/http_session.hpp"
#include "net/server_context.hpp"

namespace hw::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct server::impl {
  impl(server_options o, server_hooks h)
      : ctx(std::move(o), std::move(h)),
        ioc(static_cast<int>(ctx.opts.threads)),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        grace_timer(ioc),
        accept_retry(ioc) {
    ctx.on_idle_while_draining = [this] { asio::post(ioc, [this] { finish("drained"); }); };
  }

  // Declaration order is destruction order in reverse: sessions die with ioc, and their
  // destructors use ctx, so ctx is declared first.
  server_context ctx;
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer grace_timer;
  asio::steady_timer accept_retry;
  std::atomic<bool> stopped{false};
  int signals_seen = 0;

  std::optional<std::string> load_tls() {
    if (ctx.opts.tls_cert.empty()) return std::nullopt;
    ssl.emplace(asio::ssl::context::tls_server);
    ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    ssl->use_certificate_chain_file(ctx.opts.tls_cert, ec);
    if (ec)
      return "invalid setting 'tls-cert': cannot load " + ctx.opts.tls_cert + ": " + ec.message();
    ssl->use_private_key_file(ctx.opts.tls_key, asio::ssl::context::pem, ec);
    if (ec)
      return "invalid setting 'tls-key': cannot load " + ctx.opts.tls_key + ": " + ec.message();
    return std::nullopt;
  }

  std::optional<std::string> bind() {
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(ctx.opts.host, ec);
    if (ec) return "invalid setting 'host': '" + ctx.opts.host + "' is not an IP address";
    const tcp::endpoint ep(addr, ctx.opts.port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return "invalid setting 'port': cannot listen on " + ctx.opts.host + ":" +
             std::to_string(ctx.opts.port) + ": " + ec.message();
    }
    return std::nullopt;
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
                            if (ec) {
                              // EMFILE and friends: back off instead of spinning on a full
                              // descriptor table.
                              core::log::warn("accept_failed", {{"error", ec.message()}});
                              accept_retry.expires_after(std::chrono::milliseconds(100));
                              accept_retry.async_wait([this](boost::system::error_code e) {
                                if (!e) accept();
                              });
                              return;
                            }
                            on_accept(std::move(socket));
                            accept();
                          });
  }

  void on_accept(tcp::socket socket) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    auto addr = remote.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
      addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    }
    std::string ip = addr.to_string();
    unsigned reject = 0;
    switch (ctx.limits.try_acquire(ip)) {
      case conn_limits::admit::ok:
        ctx.accepted.inc();
        break;
      case conn_limits::admit::over_total:
        reject = 503;
        ctx.count_rejected("max_connections");
        break;
      case conn_limits::admit::over_per_ip:
        reject = 429;
        ctx.count_rejected("max_connections_per_ip");
        break;
    }
    start_http_session(std::move(socket), ssl ? &*ssl : nullptr, ctx, std::move(ip), reject);
  }

  void on_signal(const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (++signals_seen > 1) {
      core::log::warn("shutdown_forced", {{"signal", sig}});
      std::_Exit(1);
    }
    core::log::info(
        "shutdown",
        {{"signal", sig}, {"phase", "draining"}, {"grace_ms", ctx.opts.shutdown_grace.count()}});
    begin_shutdown();
    signals.async_wait([this](const boost::system::error_code& e, int s) { on_signal(e, s); });
  }

  void begin_shutdown() {
    if (ctx.draining.exchange(true)) return;
    if (ctx.hooks.on_drain) ctx.hooks.on_drain();
    // Sessions already open are told to finish; new connections are still accepted during the
    // grace period (and served with Connection: close) so that /readyz can report draining to
    // a load balancer instead of refusing connections.
    ctx.for_each_session([](session_base& s) { s.drain(); });
    grace_timer.expires_after(ctx.opts.shutdown_grace);
    grace_timer.async_wait([this](boost::system::error_code e) {
      if (!e) finish("grace_expired");
    });
    if (ctx.limits.open() == 0) asio::post(ioc, [this] { finish("drained"); });
  }

  void finish(std::string_view why) {
    if (stopped.exchange(true)) return;
    core::log::info("shutdown", {{"phase", "stopped"}, {"reason", why}});
    boost::system::error_code ec;
    acceptor.close(ec);
    grace_timer.cancel();
    accept_retry.cancel();
    signals.cancel();
    ctx.for_each_session([](session_base& s) { s.force_close(); });
    // Give aborted handlers one turn to run, then stop whatever remains.
    auto t = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(50));
    t->async_wait([this, t](boost::system::error_code) { ioc.stop(); });
  }
};

server::server(server_options opts, server_hooks hooks)
    : impl_(std::make_unique<impl>(std::move(opts), std::move(hooks))) {}

server::~server() = default;

std::optional<std::string> server::listen() {
  if (auto err = impl_->load_tls()) return err;
  return impl_->bind();
}

std::uint16_t server::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

int server::run() {
  auto& i = *impl_;
  i.signals.async_wait([&i](const boost::system::error_code& e, int s) { i.on_signal(e, s); });
  i.accept();
  core::log::info("listening", {{"host", i.ctx.opts.host},
                                {"port", port()},
                                {"tls", i.ssl.has_value()},
                                {"threads", i.ctx.opts.threads}});
  std::vector<std::thread> threads;
  threads.reserve(i.ctx.opts.threads - 1);
  for (unsigned t = 1; t < i.ctx.opts.threads; ++t)
    threads.emplace_back([&i] { i.ioc.run(); });
  i.ioc.run();
  for (auto& t : threads)
    t.join();
  return 0;
}

boost::asio::io_context& server::context() {
  return impl_->ioc;
}

bool server::draining() const {
  return impl_->ctx.draining.load();
}

void server::begin_shutdown() {
  asio::post(impl_->ioc, [this] { impl_->begin_shutdown(); });
}

}  // namespace hw::net
