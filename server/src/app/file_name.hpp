#pragma once
// The name a shared file is stored and offered under, from what the uploader claimed. Pure.

#include <string>
#include <string_view>

namespace hw::app {

inline constexpr std::size_t file_name_max_bytes = 200;
inline constexpr std::size_t file_extension_max_bytes = 16;

/// A safe display and download name from `raw`, the percent-decoded bytes of X-File-Name
/// (anything at all):
/// - valid UTF-8: each byte of a malformed sequence becomes U+FFFD;
/// - only the last path component (after the last '/' or '\');
/// - no C0/C1 control, DEL or NUL; no invisible or reordering format character (U+061C,
///   U+200B, U+200E–U+200F, U+2028–U+2029, U+202A–U+202E, U+2060–U+2069, U+FEFF). U+200C and
///   U+200D (ZWNJ, ZWJ) are kept: emoji sequences and Persian or Indic spelling need them, and
///   they reorder nothing;
/// - `" * : < > ? |` become '_' (reserved on Windows);
/// - dots and Unicode white space stripped at both ends (no hidden files, no "name.exe ");
/// - at most 200 bytes, cut at a code point boundary, keeping an extension of up to 16 bytes
///   (the last '.' and what follows) so that the file still opens with the right program;
/// - "file" when nothing is left.
/// Emoji and every script are kept.
std::string sanitize_file_name(std::string_view raw);

}  // namespace hw::app
