#include "http/message.hpp"

#include <algorithm>
#include <cctype>

#include "core/json_escape.hpp"

namespace hw::http {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void header_list::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(lower(name), std::string(value));
}

void header_list::set(std::string_view name, std::string_view value) {
  erase(name);
  add(name, value);
}

void header_list::erase(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
}

std::string_view header_list::get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) return v;
  }
  return {};
}

bool header_list::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const auto& f) { return iequals(f.first, name); });
}

response make_text(unsigned status, std::string_view content_type, std::string body) {
  response r;
  r.status = status;
  r.headers.set("content-type", content_type);
  r.body = std::move(body);
  return r;
}

response make_error(unsigned status, std::string_view code, std::string_view message,
                    std::string_view field) {
  std::string body = R"({"error":{"code":")";
  core::json_escape_append(body, code);
  body += R"(","message":")";
  core::json_escape_append(body, message);
  if (!field.empty()) {
    body += R"(","field":")";
    core::json_escape_append(body, field);
  }
  body += "\"}}";
  return make_text(status, "application/json", std::move(body));
}

response make_error(core::wire_error e, std::string_view message) {
  return make_error(core::http_status(e), core::code(e),
                    message.empty() ? core::message(e) : message);
}

bool is_ops_path(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

bool is_api_path(std::string_view path) {
  return path == "/api" || path.starts_with("/api/");
}

std::string_view route_class(std::string_view path) {
  if (is_ops_path(path)) return "ops";
  if (is_api_path(path)) return "api";
  if (path.starts_with("/socket.io/") || path.starts_with("/engine.io/")) return "realtime";
  return "static";
}

std::string_view reason(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

}  // namespace hw::http
