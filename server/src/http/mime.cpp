#include "http/mime.hpp"

#include <array>
#include <utility>

#include "core/text.hpp"
#include "http/message.hpp"

namespace hw::http {

namespace {

// Textual types carry charset=utf-8 so browsers never guess (nosniff is on). JavaScript is
// text/javascript (RFC 9239); wasm must be exactly application/wasm for streaming compilation.
constexpr std::array<std::pair<std::string_view, std::string_view>, 31> types{{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"opus", "audio/ogg"},
    {"wav", "audio/wav"},
    {"webm", "video/webm"},
    {"mp4", "video/mp4"},
    {"m4a", "audio/mp4"},
    {"pdf", "application/pdf"},
}};

// Already-compressed formats (images, fonts, media, pdf) gain nothing from gzip.
constexpr std::array<std::string_view, 9> compressible_types{
    "application/json", "application/manifest+json",
    "application/xml",  "application/javascript",
    "application/wasm", "image/svg+xml",
    "image/x-icon",     "font/ttf",
    "font/otf",
};

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

std::string_view mime_type(std::string_view filename) {
  const std::size_t slash = filename.find_last_of('/');
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  const std::size_t dot = filename.find_last_of('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string_view ext = filename.substr(dot + 1);
  for (const auto& [e, type] : types) {
    if (iequals(e, ext)) return type;
  }
  return "application/octet-stream";
}

bool is_compressible(std::string_view content_type) {
  const std::string_view essence = core::trim(content_type.substr(0, content_type.find(';')));
  if (istarts_with(essence, "text/")) return true;
  if (iends_with(essence, "+json") || iends_with(essence, "+xml")) return true;
  for (const auto t : compressible_types) {
    if (iequals(t, essence)) return true;
  }
  return false;
}

}  // namespace hw::http
