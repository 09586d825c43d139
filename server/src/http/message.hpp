#pragma once
// Hallway's own HTTP request/response values. net/ converts Beast messages to and from these, so
// every handler in http/ compiles without Beast (a Beast translation unit costs ~45 s of CPU) and
// is unit-testable without sockets.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/wire_errors.hpp"

namespace hw::http {

/// Header fields in arrival order. Names are stored lower-case; lookups are case-insensitive.
class header_list {
 public:
  void add(std::string_view name, std::string_view value);
  /// Replaces every field of that name with one field.
  void set(std::string_view name, std::string_view value);
  void erase(std::string_view name);
  /// First value of the field, or empty when absent.
  [[nodiscard]] std::string_view get(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// A parsed, size-checked request. `path` is the raw (still percent-encoded) path of the target,
/// `query` what follows `?` (without it).
struct request {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  header_list headers;
  std::string body;
  bool tls = false;
  /// Keyed hash of the peer address: the only form of the client IP that may reach logs/storage.
  std::string client_id;
  /// Raw peer address, for limits only. Never log or store it.
  std::string peer_ip;
};

/// A response body read piece by piece (a file on disk), instead of response::body.
class body_source {
 public:
  virtual ~body_source() = default;
  /// Bytes the body has in all: net/ sends them as Content-Length.
  [[nodiscard]] virtual std::uint64_t size() const = 0;
  /// Fills the start of `buf` with the next bytes and calls done(n) (0 < n <= buf.size()), or
  /// done(0) on a read error (net/ then closes the connection: the length was promised). May
  /// answer from any thread; `buf` stays valid until then. Never called again after the last byte.
  virtual void read(std::span<char> buf, std::function<void(std::size_t n)> done) = 0;
};

/// A response. The body is either owned, shared with a cache (static files, so a cached file is
/// sent without copying), or streamed from a body_source (files on disk, never held whole).
struct response {
  unsigned status = 200;
  header_list headers;
  std::string body;
  std::shared_ptr<const std::string> shared_body;
  /// When set, the body comes from here (body and shared_body are ignored), and its size() is
  /// the Content-Length.
  std::shared_ptr<body_source> stream_body;
  /// For HEAD: the Content-Length to announce while sending no body.
  bool head_only = false;

  [[nodiscard]] std::string_view body_view() const {
    return shared_body ? std::string_view(*shared_body) : std::string_view(body);
  }
};

/// The paths of the ops endpoints (/healthz, /readyz, /metrics) and of the REST API (/api/...).
bool is_ops_path(std::string_view path);
bool is_api_path(std::string_view path);
/// Coarse route class for metrics labels: "ops", "api", "realtime" or "static" (shared by net/,
/// which counts requests, and the router, which dispatches them).
std::string_view route_class(std::string_view path);

/// Builds a small response with a text or JSON body.
response make_text(unsigned status, std::string_view content_type, std::string body);
/// `{"error":{"code":..., "message":...[, "field":...]}}`, the error shape of every Hallway
/// endpoint (the one builder of it); `field` (the offending input) is left out when empty.
response make_error(unsigned status, std::string_view code, std::string_view message,
                    std::string_view field = {});
/// The same for a transport-level refusal (core/wire_errors.hpp): its status and code from the
/// table, and the table's message unless a more precise one is given.
response make_error(core::wire_error e, std::string_view message = {});
/// Reason phrase for a status code ("Not Found").
std::string_view reason(unsigned status);
/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

}  // namespace hw::http
