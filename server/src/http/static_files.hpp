#pragma once
// Serves the web app's static export from a directory.

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/handler.hpp"

namespace hw::http {

struct static_options {
  std::filesystem::path root;  ///< Web root; need not exist (then the built-in page is served).
  std::size_t cache_bytes = 64UL << 20U;     ///< Bound of the in-memory file + gzip cache.
  std::size_t max_file_bytes = 32UL << 20U;  ///< Larger files are refused (413 is wrong; 404).
  std::size_t gzip_min_bytes = 1024;         ///< Smaller text files are sent uncompressed.
};

/// GET/HEAD only (405 + Allow otherwise). Behaviour:
/// - path checked with sanitize_path (400 on refusal); the resolved real path must stay inside the
///   real root (symlinks out of the root → 403);
/// - "/x" tries x, x.html, x/index.html (Next.js static export layout), "/x/" tries
///   x/index.html, x.html; a directory without index.html is 404;
/// - a missing path without a file extension falls back to /index.html (SPA routes); a missing
///   asset with an extension is 404;
/// - ETag from size + mtime; If-None-Match → 304;
/// - Cache-Control: immutable for hashed assets (under _next/static/), no-cache for HTML,
///   one hour otherwise;
/// - Accept-Encoding: a precompressed sibling (x.br, x.gz) is preferred, else gzip on the fly for
///   compressible types ≥ gzip_min_bytes, cached; Vary: Accept-Encoding;
/// - when the root has no index.html, "/" serves a small built-in page saying the server is up;
/// - dot-files and dot-directories (".git", ".env"), except ".well-known", are 404;
/// - HTML (text/html) gets its own Content-Security-Policy: the default one with the
///   'sha256-...' hash of each inline script (up to max_inline_scripts) added to script-src,
///   computed from the plain file when it is first loaded and cached with it.
/// Thread-safe: the cache is guarded by a mutex (held only for lookups, never during file I/O).
class static_files final : public handler {
 public:
  explicit static_files(static_options opts);
  void handle(const request& req, respond_fn respond) override;
  /// Synchronous form, for tests.
  response serve(const request& req);

 private:
  struct entry;
  struct file_info;
  /// A cached entry with its position in the LRU list and its charge against cache_bytes.
  struct slot {
    std::shared_ptr<const entry> value;
    std::list<std::string>::iterator lru;
    std::size_t cost = 0;
  };

  /// The representation chosen for a request: a precompressed sibling, on-the-fly gzip or the
  /// plain file.
  struct encoded {
    std::shared_ptr<const entry> body;
    std::string_view coding;       ///< Content-Encoding; empty for the plain file
    std::string_view etag_suffix;  ///< "-br", "-gz" or empty
    bool any_sibling = false;      ///< a precompressed sibling exists (the answer varies)
  };

  response serve_unchecked(const request& req);
  response serve_file(const request& req, const std::filesystem::path& root,
                      const std::string& name, const file_info& info);
  /// The precompressed sibling (x.br, then x.gz) the client accepts, if any.
  encoded pick_sibling(const std::filesystem::path& root, const std::string& name,
                       std::string_view accept);
  /// The file's bytes, from the cache when size and mtime still match, else read from disk.
  /// Null when unreadable or larger than max_file_bytes. `html`: the entry also carries the
  /// page's CSP (scan_html), computed once per file version.
  std::shared_ptr<const entry> load(const file_info& info, bool html = false);
  /// Hashes the inline scripts of the HTML in `e` into e.csp (find_inline_scripts).
  static void scan_html(entry& e, const file_info& info);
  /// The gzip of `plain` (cached); its body is null when gzip does not make it smaller.
  std::shared_ptr<const entry> load_gzip(const file_info& info, const entry& plain);
  std::shared_ptr<const entry> cache_find(const std::string& key, const file_info& info);
  void cache_put(const std::string& key, const std::shared_ptr<const entry>& value);
  /// The real root: fixed at construction when it existed then, else resolved per request.
  [[nodiscard]] std::filesystem::path current_root() const;

  static_options opts_;
  std::filesystem::path real_root_;
  bool root_resolved_ = false;
  std::mutex mutex_;
  std::list<std::string> lru_;  ///< Cache keys, most recently used first.
  std::unordered_map<std::string, slot> cache_;
  std::size_t cache_used_ = 0;
};

}  // namespace hw::http
