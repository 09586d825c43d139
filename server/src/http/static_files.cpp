#include "http/static_files.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <system_error>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "http/compress.hpp"
#include "http/inline_scripts.hpp"
#include "http/mime.hpp"
#include "http/path.hpp"
#include "http/security_headers.hpp"

namespace hw::http {

namespace fs = std::filesystem;

struct static_files::file_info {
  fs::path real;  ///< Canonical path, inside the real root.
  std::uintmax_t size = 0;
  fs::file_time_type mtime{};
};

struct static_files::entry {
  std::uintmax_t size = 0;     ///< Size and mtime of the file the entry was made from: the entry
  fs::file_time_type mtime{};  ///< is stale as soon as either differs.
  std::string tag;             ///< "<size hex>-<mtime hex>" of that file, the core of the ETag.
  std::shared_ptr<const std::string> body;
  /// HTML only: scanned for inline scripts once per file version (with the entry), and `csp`
  /// is the policy allowing them; empty when the page has none (the default policy applies).
  bool html_scanned = false;
  std::string csp;
};

namespace {

enum class probe_result { found, missing, directory, escaped };

// Real-path containment by whole components, so root "/srv/web" does not contain "/srv/web2".
bool inside(const fs::path& root, const fs::path& p) {
  if (root.empty() || !root.is_absolute()) return false;
  auto q = p.begin();
  for (const auto& part : root) {
    if (q == p.end() || *q != part) return false;
    ++q;
  }
  return q != p.end();
}

fs::path resolve_root(const fs::path& root, bool& exists) {
  exists = false;
  if (root.empty()) return {};  // never fall back to the working directory
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec);
  if (ec) return {};
  fs::path real = fs::canonical(abs, ec);
  if (!ec) {
    exists = true;
    return real;
  }
  real = fs::weakly_canonical(abs, ec);
  if (ec) real = abs.lexically_normal();
  if (!real.has_filename() && real.has_relative_path()) real = real.parent_path();
  return real;
}

// Only regular files are served (a FIFO or device would block or leak); the canonical path
// must stay inside the root, which is how symlinks out of it are caught.
probe_result probe(const fs::path& root, const fs::path& p, std::uintmax_t& size,
                   fs::file_time_type& mtime, fs::path& real) {
  if (root.empty()) return probe_result::missing;
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  if (ec) return probe_result::missing;
  if (fs::is_directory(st)) return probe_result::directory;
  if (!fs::is_regular_file(st)) return probe_result::missing;
  real = fs::canonical(p, ec);
  if (ec) return probe_result::missing;
  if (!inside(root, real)) return probe_result::escaped;
  size = fs::file_size(real, ec);
  if (ec) return probe_result::missing;
  mtime = fs::last_write_time(real, ec);
  if (ec) return probe_result::missing;
  return probe_result::found;
}

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::optional<std::string> read_file(const fs::path& p, std::uintmax_t expected) {
  const std::unique_ptr<std::FILE, file_closer> f(std::fopen(p.c_str(), "rb"));
  if (!f) return std::nullopt;
  std::string out(static_cast<std::size_t>(expected), '\0');
  // Shorter when the file shrank since the stat; its new mtime makes the next request reload.
  out.resize(std::fread(out.data(), 1, out.size(), f.get()));
  if (std::ferror(f.get()) != 0) return std::nullopt;
  return out;
}

std::string make_tag(std::uintmax_t size, fs::file_time_type mtime) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::file_clock::to_sys(mtime).time_since_epoch());
  std::array<char, 48> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%jx-%llx", size,
                              static_cast<unsigned long long>(ns.count()));
  return {buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0};
}

// If-None-Match uses the weak comparison: W/ is ignored, "*" matches any current representation.
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  std::size_t i = 0;
  while (i < if_none_match.size()) {
    const char c = if_none_match[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
      continue;
    }
    if (c == '*') return true;
    if (if_none_match.substr(i, 2) == "W/") i += 2;
    if (i < if_none_match.size() && if_none_match[i] == '"') {
      const std::size_t end = if_none_match.find('"', i + 1);
      if (end == std::string_view::npos) return false;
      if (if_none_match.substr(i, end - i + 1) == etag) return true;
      i = end + 1;
    } else {
      const std::size_t comma = if_none_match.find(',', i);
      if (comma == std::string_view::npos) return false;
      i = comma + 1;
    }
  }
  return false;
}

// 304 keeps what a cache needs to refresh its copy (RFC 9110 §15.4.5), drops the body.
void not_modified_if_match(const request& req, response& res) {
  const std::string_view inm = req.headers.get("if-none-match");
  if (inm.empty() || !etag_matches(inm, res.headers.get("etag"))) return;
  res.status = 304;
  res.body.clear();
  res.shared_body.reset();
  res.head_only = false;
  res.headers.erase("content-type");
  res.headers.erase("content-encoding");
}

std::string_view cache_control(std::string_view name, std::string_view content_type) {
  if (name.starts_with("_next/static/")) return "public, max-age=31536000, immutable";
  if (content_type.starts_with("text/html")) return "no-cache";
  return "public, max-age=3600";
}

bool hidden_segment(std::string_view rel) {
  while (!rel.empty()) {
    const std::size_t slash = rel.find('/');
    const std::string_view seg = rel.substr(0, slash);
    if (seg.starts_with('.') && seg != ".well-known") return true;
    rel = slash == std::string_view::npos ? std::string_view{} : rel.substr(slash + 1);
  }
  return false;
}

bool has_extension(std::string_view rel) {
  const std::size_t slash = rel.find_last_of('/');
  const std::string_view last = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

// Shown until the web app is built. No script: the CSP allows none inline.
const std::shared_ptr<const std::string>& builtin_page() {
  static const auto page = std::make_shared<const std::string>(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Hallway</title>\n<style>body{font-family:system-ui,sans-serif;max-width:40rem;"
      "margin:4rem auto;padding:0 1rem;line-height:1.5}</style>\n</head>\n<body>\n"
      "<h1>Hallway</h1>\n<p>The server is up and running.</p>\n"
      "<p>The web app is not built yet: build it and point the server's web root at its "
      "static export.</p>\n</body>\n</html>\n");
  return page;
}

response serve_builtin(const request& req) {
  response res;
  res.headers.set("content-type", "text/html; charset=utf-8");
  res.headers.set("cache-control", "no-cache");
  // Hash of the text, so a server upgrade that changes the page also changes its validator.
  static const std::string etag = [] {
    std::string e = "\"builtin-" + std::to_string(std::hash<std::string>{}(*builtin_page()));
    return e += '"';
  }();
  res.headers.set("etag", etag);
  res.shared_body = builtin_page();
  res.head_only = req.method == "HEAD";
  not_modified_if_match(req, res);
  return res;
}

response not_found() {
  return make_error(core::wire_error::not_found, "No such file.");
}

response forbidden() {
  return make_error(core::wire_error::forbidden);
}

}  // namespace

static_files::static_files(static_options opts) : opts_(std::move(opts)) {
  real_root_ = resolve_root(opts_.root, root_resolved_);
}

fs::path static_files::current_root() const {
  if (root_resolved_) return real_root_;
  bool exists = false;
  return resolve_root(opts_.root, exists);
}

void static_files::handle(const request& req, respond_fn respond) {
  response res;
  try {
    res = serve(req);
  } catch (...) {
    res = response{};
    res.status = 500;
  }
  respond(std::move(res));
}

response static_files::serve(const request& req) {
  try {
    return serve_unchecked(req);
  } catch (...) {  // bad_alloc is the only expected one; never let it reach net/
    return make_error(core::wire_error::internal_error);
  }
}

response static_files::serve_unchecked(const request& req) {
  if (req.method != "GET" && req.method != "HEAD") {
    response res =
        make_error(core::wire_error::method_not_allowed, "Only GET and HEAD are allowed here.");
    res.headers.set("allow", "GET, HEAD");
    return res;
  }
  const sanitized_path sp = sanitize_path(req.path);
  if (sp.error != path_error::none) return make_error(core::wire_error::bad_path);
  const std::string& rel = sp.relative;
  if (hidden_segment(rel)) return not_found();
  const fs::path root = current_root();

  // Next.js static export layout: "/x" is x, x.html or x/index.html. A trailing slash asks for
  // a directory: its index.html comes first and x itself is skipped.
  std::vector<std::string> candidates;
  if (rel.empty()) {
    candidates = {"index.html"};
  } else if (sp.trailing_slash) {
    candidates = {rel + "/index.html", rel + ".html"};
  } else {
    candidates = {rel, rel + ".html", rel + "/index.html"};
  }
  for (const std::string& name : candidates) {
    file_info info;
    const probe_result r = probe(root, root / name, info.size, info.mtime, info.real);
    if (r == probe_result::found) return serve_file(req, root, name, info);
    if (r == probe_result::escaped) return forbidden();
  }
  if (rel.empty()) return serve_builtin(req);
  std::error_code ec;
  const bool directory = !root.empty() && fs::is_directory(root / rel, ec);
  if (directory || has_extension(rel)) return not_found();
  // An SPA route: the app's index.html routes it client-side.
  file_info index;
  const probe_result r = probe(root, root / "index.html", index.size, index.mtime, index.real);
  if (r == probe_result::found) return serve_file(req, root, "index.html", index);
  return r == probe_result::escaped ? forbidden() : serve_builtin(req);
}

response static_files::serve_file(const request& req, const fs::path& root, const std::string& name,
                                  const file_info& info) {
  if (info.size > opts_.max_file_bytes) return not_found();
  const std::string_view type = mime_type(name);
  const bool compressible = is_compressible(type);
  const bool html = type.starts_with("text/html");
  const std::string_view accept = req.headers.get("accept-encoding");

  // An HTML page's policy comes from its plain text, whichever encoding is sent.
  std::shared_ptr<const entry> plain;
  if (html && !(plain = load(info, true))) return not_found();
  encoded chosen = pick_sibling(root, name, accept);
  const bool vary = compressible || chosen.any_sibling;
  if (!chosen.body) {
    if (!plain && !(plain = load(info))) return not_found();
    chosen.body = plain;
    if (compressible && info.size >= opts_.gzip_min_bytes && accepts_encoding(accept, "gzip")) {
      const std::shared_ptr<const entry> gz = load_gzip(info, *plain);
      if (gz && gz->body) chosen = {gz, "gzip", "-gz", true};
    }
  }

  response res;
  res.headers.set("content-type", type);
  res.headers.set("cache-control", cache_control(name, type));
  res.headers.set("etag", "\"" + chosen.body->tag + std::string(chosen.etag_suffix) + "\"");
  if (vary) res.headers.set("vary", "Accept-Encoding");
  if (!chosen.coding.empty()) res.headers.set("content-encoding", chosen.coding);
  // Set here, so the security decorator (which only fills absent headers) keeps it.
  if (plain && !plain->csp.empty()) res.headers.set("content-security-policy", plain->csp);
  res.shared_body = chosen.body->body;
  res.head_only = req.method == "HEAD";
  not_modified_if_match(req, res);
  return res;
}

static_files::encoded static_files::pick_sibling(const fs::path& root, const std::string& name,
                                                 std::string_view accept) {
  encoded chosen;
  // A precompressed sibling beats on-the-fly gzip; br beats gz. Any sibling means the response
  // depends on Accept-Encoding, whether or not this client takes it.
  static constexpr std::array<std::array<std::string_view, 3>, 2> siblings = {
      {{".br", "br", "-br"}, {".gz", "gzip", "-gz"}}};
  for (const auto& [suffix, coding, etag_suffix] : siblings) {
    file_info sib;
    std::string sib_name = name;
    sib_name += suffix;
    if (probe(root, root / sib_name, sib.size, sib.mtime, sib.real) != probe_result::found) {
      continue;
    }
    chosen.any_sibling = true;
    if (chosen.body || sib.size > opts_.max_file_bytes || !accepts_encoding(accept, coding)) {
      continue;
    }
    if ((chosen.body = load(sib))) {
      chosen.coding = coding;
      chosen.etag_suffix = etag_suffix;
    }
  }
  return chosen;
}

std::shared_ptr<const static_files::entry> static_files::load(const file_info& info, bool html) {
  const std::string& key = info.real.native();
  auto hit = cache_find(key, info);
  if (hit && (!html || hit->html_scanned)) return hit;
  auto e = std::make_shared<entry>();
  if (hit) {
    *e = *hit;  // cached under a non-HTML name (a symlink): the bytes are shared, not reread
  } else {
    if (info.size > opts_.max_file_bytes) return nullptr;
    std::optional<std::string> bytes = read_file(info.real, info.size);  // no lock held
    if (!bytes) return nullptr;
    e->size = info.size;
    e->mtime = info.mtime;
    e->tag = make_tag(info.size, info.mtime);
    e->body = std::make_shared<const std::string>(std::move(*bytes));
  }
  if (html) scan_html(*e, info);
  std::shared_ptr<const entry> result = std::move(e);
  cache_put(key, result);
  return result;
}

void static_files::scan_html(entry& e, const file_info& info) {
  e.html_scanned = true;
  const inline_scripts found = find_inline_scripts(*e.body);
  if (found.truncated) {
    // Served with the hashes it got: its later inline scripts are blocked by the browser.
    core::log::warn("inline_scripts_over_limit",
                    {{"file", info.real.filename().native()}, {"hashed", found.texts.size()}});
  }
  if (found.texts.empty()) return;
  std::vector<std::string> sources;
  sources.reserve(found.texts.size());
  for (const auto& text : found.texts)
    sources.push_back(script_hash_source(text));
  e.csp = content_security_policy(sources);
}

std::shared_ptr<const static_files::entry> static_files::load_gzip(const file_info& info,
                                                                   const entry& plain) {
  std::string key = info.real.native();
  key += '\0';  // cannot occur in a path, so the variant key never names a real file
  key += "gzip";
  if (auto hit = cache_find(key, info)) return hit;
  auto e = std::make_shared<entry>();
  e->size = plain.size;
  e->mtime = plain.mtime;
  e->tag = plain.tag;
  std::optional<std::string> z = gzip(*plain.body);
  if (z && z->size() < plain.body->size()) {
    e->body = std::make_shared<const std::string>(std::move(*z));
  }
  std::shared_ptr<const entry> result = std::move(e);
  cache_put(key, result);
  return result;
}

std::shared_ptr<const static_files::entry> static_files::cache_find(const std::string& key,
                                                                    const file_info& info) {
  const std::lock_guard lock(mutex_);
  const auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  const slot& s = it->second;
  if (s.value->size == info.size && s.value->mtime == info.mtime) {
    lru_.splice(lru_.begin(), lru_, s.lru);
    return s.value;
  }
  cache_used_ -= s.cost;  // stale: the file changed since it was cached
  lru_.erase(s.lru);
  cache_.erase(it);
  return nullptr;
}

void static_files::cache_put(const std::string& key, const std::shared_ptr<const entry>& value) {
  // Keys are stored twice (map + LRU list); the constant covers node and control blocks.
  const std::size_t cost =
      2 * key.size() + (value->body ? value->body->size() : 0) + value->csp.size() + 256;
  if (cost > opts_.cache_bytes) return;  // still served, just not kept
  const std::lock_guard lock(mutex_);
  if (const auto it = cache_.find(key); it != cache_.end()) {
    cache_used_ -= it->second.cost;
    lru_.erase(it->second.lru);
    cache_.erase(it);
  }
  while (cache_used_ + cost > opts_.cache_bytes && !lru_.empty()) {
    const auto victim = cache_.find(lru_.back());
    cache_used_ -= victim->second.cost;
    cache_.erase(victim);
    lru_.pop_back();
  }
  lru_.push_front(key);
  cache_.emplace(key, slot{value, lru_.begin(), cost});
  cache_used_ += cost;
}

}  // namespace hw::http
