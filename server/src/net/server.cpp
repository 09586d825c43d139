#include "net/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include <openssl/ssl.h>

#include "core/address.hpp"
#include "core/log.hpp"
#include "net/http_session.hpp"
#include "net/server_context.hpp"

namespace hw::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Mozilla "intermediate" (v5.7): TLS 1.2 only with forward-secret AEAD suites; TLS 1.3 keeps
// OpenSSL's default suites (all AEAD, all forward secret).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The ops listener serves a scraper and a probe or two: small fixed bounds.
constexpr std::size_t ops_max_connections = 64;

server_options ops_options(const server_options& main) {
  server_options o = main;
  o.max_connections = ops_max_connections;
  o.max_connections_per_ip = ops_max_connections;
  o.trusted_proxies.clear();
  return o;
}

server_hooks ops_hooks(const server_hooks& main) {
  server_hooks h = main;
  h.handler = main.ops_handler;
  h.upgrade = nullptr;
  return h;
}

/// One bound acceptor and the context its sessions share.
struct listener {
  listener(asio::io_context& io, server_context& c) : ioc(io), ctx(c), acceptor(io), retry(io) {}

  asio::io_context& ioc;
  server_context& ctx;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  asio::ssl::context* ssl = nullptr;

  std::optional<std::string> bind(const std::string& host, std::uint16_t port,
                                  std::string_view setting) {
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(host, ec);
    if (ec) {
      return "invalid setting '" + std::string(setting) + "': '" + host + "' is not an IP address";
    }
    const tcp::endpoint ep(addr, port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return "invalid setting '" + std::string(setting == "host" ? "port" : setting) +
             "': cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
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
                              retry.expires_after(std::chrono::milliseconds(100));
                              retry.async_wait([this](boost::system::error_code e) {
                                if (!e) accept();
                              });
                              return;
                            }
                            on_accept(std::move(socket));
                            accept();
                          });
  }

  // Admission: a trusted proxy's connections count only toward the total (it multiplexes many
  // clients; each request is then keyed by its forwarded client); anyone else's also toward its
  // address key (IPv6 by prefix).
  void on_accept(tcp::socket socket) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    const auto peer = core::parse_ip(remote.address().to_string());
    if (!peer) return;
    const bool trusted = core::in_ranges(*peer, ctx.trusted);
    std::string key = trusted ? std::string() : core::address_key(*peer, ctx.opts.ipv6_prefix);
    unsigned reject = 0;
    switch (ctx.limits.try_acquire(key)) {
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
    start_http_session(std::move(socket), ssl, ctx, {*peer, std::move(key), trusted}, reject);
  }

  void close() {
    boost::system::error_code ec;
    acceptor.close(ec);
    retry.cancel();
  }
};

// "host:port" or "[v6]:port" → host, port. False when malformed.
bool split_host_port(std::string_view s, std::string& host, std::uint16_t& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto h = s.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const auto p = s.substr(colon + 1);
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || v > 65535) return false;
  host = std::string(h);
  port = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

struct server::impl {
  impl(server_options o, server_hooks h)
      : ctx(std::move(o), std::move(h)),
        ops_ctx(ops_options(ctx.opts), ops_hooks(ctx.hooks)),
        ioc(static_cast<int>(ctx.opts.threads)),
        main(ioc, ctx),
        ops(ioc, ops_ctx),
        signals(ioc, SIGINT, SIGTERM),
        grace_timer(ioc) {
    ctx.on_idle_while_draining = [this] { asio::post(ioc, [this] { finish("drained"); }); };
  }

  // Declaration order is destruction order in reverse: sessions die with ioc, and their
  // destructors use the contexts, so those are declared first.
  server_context ctx;
  server_context ops_ctx;  ///< the ops listener's: own small limits, the ops handler only
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  listener main;
  listener ops;
  bool ops_enabled = false;
  asio::signal_set signals;
  asio::steady_timer grace_timer;
  std::atomic<bool> stopped{false};
  int signals_seen = 0;

  std::optional<std::string> load_tls() {
    if (ctx.opts.tls_cert.empty()) return std::nullopt;
    ssl.emplace(asio::ssl::context::tls_server);
    ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use |
                     asio::ssl::context::no_compression);
    SSL_CTX* native = ssl->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1) {
      return std::string("invalid setting 'tls-cert': the TLS library has no ECDHE AEAD suite");
    }
    boost::system::error_code ec;
    ssl->use_certificate_chain_file(ctx.opts.tls_cert, ec);
    if (ec)
      return "invalid setting 'tls-cert': cannot load " + ctx.opts.tls_cert + ": " + ec.message();
    ssl->use_private_key_file(ctx.opts.tls_key, asio::ssl::context::pem, ec);
    if (ec)
      return "invalid setting 'tls-key': cannot load " + ctx.opts.tls_key + ": " + ec.message();
    main.ssl = &*ssl;
    return std::nullopt;
  }

  std::optional<std::string> bind() {
    std::string bad;
    if (!core::parse_cidr_list(ctx.opts.trusted_proxies, bad)) {
      return "invalid setting 'trusted-proxies': '" + bad + "' is not a CIDR range";
    }
    if (auto err = main.bind(ctx.opts.host, ctx.opts.port, "host")) return err;
    if (ctx.opts.ops_listen.empty()) return std::nullopt;
    std::string host;
    std::uint16_t port = 0;
    if (!split_host_port(ctx.opts.ops_listen, host, port) || ctx.hooks.ops_handler == nullptr) {
      return "invalid setting 'ops-listen': '" + ctx.opts.ops_listen + "' is not host:port";
    }
    ops_enabled = true;
    return ops.bind(host, port, "ops-listen");
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
    // Sessions already open are told to finish; new connections are still accepted during the
    // grace period (and served with Connection: close) so that /readyz can report draining to
    // a load balancer instead of refusing connections. Ops connections (a scraper's keep-alive)
    // do not hold shutdown up: they are closed in finish().
    ops_ctx.draining = true;
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
    main.close();
    ops.close();
    grace_timer.cancel();
    signals.cancel();
    ctx.for_each_session([](session_base& s) { s.force_close(); });
    ops_ctx.for_each_session([](session_base& s) { s.force_close(); });
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
  return impl_->main.acceptor.local_endpoint(ec).port();
}

std::uint16_t server::ops_port() const {
  if (!impl_->ops_enabled) return 0;
  boost::system::error_code ec;
  return impl_->ops.acceptor.local_endpoint(ec).port();
}

int server::run() {
  auto& i = *impl_;
  i.signals.async_wait([&i](const boost::system::error_code& e, int s) { i.on_signal(e, s); });
  i.main.accept();
  if (i.ops_enabled) {
    i.ops.accept();
    // Logged before "listening" so a harness that waits for "listening" already knows it.
    core::log::info("ops_listening", {{"port", ops_port()}});
  }
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
