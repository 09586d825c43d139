#pragma once
// Validation and normalisation of everything a guest sends: username, language tag, interests,
// chat text, message ids. Pure functions over untrusted bytes: they never throw, never allocate
// more than a small multiple of their input, and report the first problem found.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/errors.hpp"
#include "app/ports.hpp"

namespace hw::app {

/// A validator's answer. On success `value` holds the normalised value and code/field/message
/// are empty; on failure `value` is default-constructed and `code` is the wire code of
/// error::invalid_payload, the one error the validators produce: the client sent a value that is
/// not the documented shape. `field` says which payload field, `message` says which rule
/// (English, for developers; it never echoes the offending value, so it is safe to log).
template <class T>
struct validated {
  bool ok = false;
  T value{};
  std::string code;
  std::string field;
  std::string message;

  explicit operator bool() const { return ok; }

  static validated success(T v) {
    validated r;
    r.ok = true;
    r.value = std::move(v);
    return r;
  }
  static validated failure(std::string_view field, std::string_view message) {
    validated r;
    r.code = std::string(app::code(error::invalid_payload));
    r.field = std::string(field);
    r.message = std::string(message);
    return r;
  }
};

// ---- usernames -------------------------------------------------------------------------------

inline constexpr std::size_t username_min = 3;
inline constexpr std::size_t username_max = 20;

/// 3–20 characters from [A-Za-z0-9_], kept as given (no case folding: it is a display name).
validated<std::string> validate_username(std::string_view name,
                                         std::string_view field = "username");

/// "AdjectiveNoun1234": a word from each built-in list (≥ 40 each) and four digits
/// (0000–9999); always passes validate_username.
std::string generate_username(random& r);

/// The username a new guest gets: absent (nullopt) or empty → generated; anything else must
/// pass validate_username. An empty string counts as absent because web forms send "" for a
/// field left blank.
validated<std::string> resolve_username(std::optional<std::string_view> name, random& r,
                                        std::string_view field = "username");

// ---- language tags ---------------------------------------------------------------------------

inline constexpr std::size_t language_tag_max = 35;

/// A BCP-47 language tag checked against the RFC 5646 well-formed grammar, minus forms nobody
/// chats in: primary language 2–3 letters (the IANA registry has no 4–8 letter primary subtags,
/// and allowing them would accept "english"), up to three extlangs, optional script (4 letters),
/// optional region (2 letters or 3 digits), variants (5–8 alphanumerics, or a digit and 3
/// alphanumerics; no repeats), extensions (a singleton other than x, then 2–8 alphanumerics
/// subtags; no repeated singleton), optional private use (x then 1–8 alphanumerics subtags).
/// Separator '-' only; at most 35 characters; grandfathered and private-use-only tags are
/// refused. Returns the canonical case: language and extlang lower, Script title case, REGION
/// upper, everything else lower ("EN-us" → "en-US", "zh-hant-tw" → "zh-Hant-TW").
validated<std::string> validate_language(std::string_view tag, std::string_view field = "language");

/// The primary language subtag of a canonical tag ("en-US" → "en"): what "same language" means
/// to the matchmaker.
std::string_view primary_language(std::string_view canonical_tag);

// ---- interests -------------------------------------------------------------------------------

inline constexpr std::size_t interests_max_default = 10;
inline constexpr std::size_t interest_max_chars = 30;

/// Up to `max_count` tags (counted before deduplication, so the work per request is bounded).
/// Each tag: valid UTF-8, no control characters (C0 including tab/newline, DEL, C1), trimmed of
/// Unicode white space at both ends, then 1–30 code points; interior spaces are kept. Tags are
/// lower-cased in ASCII only (A–Z; other scripts are kept as sent, since full Unicode case
/// folding needs tables we do not carry), then deduplicated keeping the first occurrence.
validated<std::vector<std::string>> validate_interests(
    const std::vector<std::string>& tags, std::size_t max_count = interests_max_default,
    std::string_view field = "interests");

// ---- chat text -------------------------------------------------------------------------------

inline constexpr std::size_t chat_text_max_default = 1000;

/// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF, no truncated sequences);
/// no control characters anywhere except '\n' and '\t' (C0, DEL and C1 refused, '\r' included);
/// Unicode White_Space trimmed at both ends; then 1–`max_chars` code points. Returns the trimmed
/// text.
validated<std::string> validate_chat_text(std::string_view text,
                                          std::size_t max_chars = chat_text_max_default,
                                          std::string_view field = "text");

// ---- report notes ----------------------------------------------------------------------------

/// The optional note of a report: the chat text rules (strict UTF-8, no control characters but
/// newline and tab, measured after trimming Unicode white space), except that it may be empty,
/// and at most `max_chars` code points. Only the verdict matters: callers drop the note.
validated<bool> validate_report_note(std::string_view note, std::size_t max_chars,
                                     std::string_view field = "note");

// ---- message ids -----------------------------------------------------------------------------

/// A UUID in the 8-4-4-4-12 hex form (any version or variant, either case, no braces or urn
/// prefix). Returns it in lower case so that retries in another case still deduplicate.
validated<std::string> validate_message_id(std::string_view id, std::string_view field = "id");

// ---- UTF-8 helpers (exposed for the gateway and tests) ---------------------------------------

/// Number of code points in `s` if it is strict UTF-8, else nullopt.
std::optional<std::size_t> utf8_length(std::string_view s);

/// Unicode White_Space (PropList.txt): U+0009–000D, 0020, 0085, 00A0, 1680, 2000–200A, 2028,
/// 2029, 202F, 205F, 3000.
bool is_unicode_space(char32_t cp);

}  // namespace hw::app
