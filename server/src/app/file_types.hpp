#pragma once
// Which file types may be shared, decided by content: the allowlist as data (one row per
// detected media type), and the few refinements a declared type may make within the same
// container (a WebM with only audio is "audio/webm" to the browser, "video/webm" to libmagic).
// Standard library only.

#include <optional>
#include <string>
#include <string_view>

namespace hw::app {

enum class file_kind { image, video, audio, voice, document, archive };
std::string_view to_string(file_kind k);

/// What an upload is served as.
struct file_type {
  std::string mime;  ///< the Content-Type it is served with (never the client's word alone)
  file_kind kind = file_kind::document;
  /// Shown by the browser (Content-Disposition: inline); false: downloaded (attachment).
  bool inline_ok = false;
};

/// The type to serve for content sniffed as `detected`, given the client's `declared`
/// Content-Type (may be empty) and whether it is a voice note. nullopt when not allowed:
/// a type outside the allowlist, or a voice note whose content is not audio. `declared` only
/// refines within the detected container (video/webm → audio/webm, application/ogg →
/// audio/ogg, text/plain → text/csv, ...) and is otherwise ignored.
std::optional<file_type> classify_file(std::string_view detected, std::string_view declared,
                                       bool voice);

/// The detected types the allowlist accepts, for docs and errors ("image/png, ...").
std::string allowed_types_text();

}  // namespace hw::app
