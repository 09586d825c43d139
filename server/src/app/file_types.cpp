#include "app/file_types.hpp"

#include <array>

namespace hw::app {

namespace {

using enum file_kind;

/// One allowed content type: what libmagic 5.44 calls it (`detected`, lower case) and what it
/// is served as. Only images, audio and video are ever shown inline.
struct row {
  std::string_view detected;
  std::string_view served;
  file_kind kind;
  bool inline_ok;
};

// The allowlist. Names are libmagic 5.44's, checked against generated samples by
// test/store/magic_sniffer_test.cpp. Never here: image/svg+xml and text/html (script in an
// image or a page of our origin), text/x-* (scripts and source code), executables, and the
// Office containers libmagic cannot name (application/x-ole-storage, application/CDFV2:
// Thumbs.db, installers and unknown OLE files look the same).
constexpr std::array rows{
    row{"image/jpeg", "image/jpeg", image, true},
    row{"image/png", "image/png", image, true},
    row{"image/gif", "image/gif", image, true},
    row{"image/webp", "image/webp", image, true},
    row{"image/bmp", "image/bmp", image, true},
    row{"image/x-ms-bmp", "image/bmp", image, true},  // older libmagic, OS/2 headers
    row{"video/mp4", "video/mp4", video, true},
    row{"video/x-m4v", "video/mp4", video, true},  // iTunes' "M4V " brand of MP4
    row{"video/webm", "video/webm", video, true},
    row{"video/ogg", "video/ogg", video, true},
    row{"video/quicktime", "video/quicktime", video, true},
    row{"audio/mpeg", "audio/mpeg", audio, true},
    row{"audio/ogg", "audio/ogg", audio, true},  // Vorbis, Opus, Speex, FLAC in Ogg
    row{"application/ogg", "audio/ogg", audio, true},
    row{"audio/x-wav", "audio/wav", audio, true},
    row{"audio/x-hx-aac-adts", "audio/aac", audio, true},
    row{"audio/x-m4a", "audio/mp4", audio, true},
    row{"audio/mp4", "audio/mp4", audio, true},
    row{"application/pdf", "application/pdf", document, false},
    row{"text/plain", "text/plain", document, false},
    row{"text/csv", "text/csv", document, false},
    row{"application/json", "application/json", document, false},
    row{"application/msword", "application/msword", document, false},
    row{"application/vnd.ms-excel", "application/vnd.ms-excel", document, false},
    row{"application/vnd.ms-powerpoint", "application/vnd.ms-powerpoint", document, false},
    // An Office file whose summary names no application libmagic knows.
    row{"application/vnd.ms-office", "application/vnd.ms-office", document, false},
    row{"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", document, false},
    row{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", document, false},
    row{"application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", document,
        false},
    row{"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text",
        document, false},
    row{"application/vnd.oasis.opendocument.text-template",
        "application/vnd.oasis.opendocument.text-template", document, false},
    row{"application/vnd.oasis.opendocument.text-master",
        "application/vnd.oasis.opendocument.text-master", document, false},
    row{"application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.spreadsheet", document, false},
    row{"application/vnd.oasis.opendocument.spreadsheet-template",
        "application/vnd.oasis.opendocument.spreadsheet-template", document, false},
    row{"application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.presentation", document, false},
    row{"application/vnd.oasis.opendocument.presentation-template",
        "application/vnd.oasis.opendocument.presentation-template", document, false},
    row{"application/vnd.oasis.opendocument.graphics",
        "application/vnd.oasis.opendocument.graphics", document, false},
    row{"application/vnd.oasis.opendocument.graphics-template",
        "application/vnd.oasis.opendocument.graphics-template", document, false},
    row{"application/vnd.oasis.opendocument.chart", "application/vnd.oasis.opendocument.chart",
        document, false},
    row{"application/vnd.oasis.opendocument.formula", "application/vnd.oasis.opendocument.formula",
        document, false},
    // An OOXML/ODF file libmagic sees as a plain zip stays a zip (a declared Office type does
    // not turn it into one): it is downloaded either way, under its own name.
    row{"application/zip", "application/zip", archive, false},
    row{"application/gzip", "application/gzip", archive, false},
    row{"application/x-tar", "application/x-tar", archive, false},
    row{"application/x-7z-compressed", "application/x-7z-compressed", archive, false},
};

/// What a declared type may change, within the container libmagic found: `declared` on content
/// detected as `detected` is served as `served`. libmagic names a WebM, Ogg or MP4 by its
/// container (a WebM is "video/webm" even with only an audio track, as MediaRecorder makes
/// them), and cannot tell CSV or JSON from plain text when they are not clear-cut.
struct refinement {
  std::string_view detected;
  std::string_view declared;
  std::string_view served;
  file_kind kind;
};

constexpr std::array refinements{
    refinement{"video/webm", "audio/webm", "audio/webm", audio},
    refinement{"video/ogg", "audio/ogg", "audio/ogg", audio},
    refinement{"video/ogg", "audio/opus", "audio/ogg", audio},
    refinement{"application/ogg", "audio/opus", "audio/ogg", audio},
    refinement{"application/ogg", "video/ogg", "video/ogg", video},
    // A multiplexed Ogg whose first page is the audio stream's: libmagic reads one page.
    refinement{"audio/ogg", "video/ogg", "video/ogg", video},
    refinement{"video/mp4", "audio/mp4", "audio/mp4", audio},
    refinement{"video/mp4", "audio/x-m4a", "audio/mp4", audio},
    refinement{"video/mp4", "audio/m4a", "audio/mp4", audio},
    refinement{"text/plain", "text/csv", "text/csv", document},
    refinement{"text/plain", "application/json", "application/json", document},
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// "Audio/WebM ; codecs=opus" → "audio/webm": the type without parameters, trimmed, lower case.
std::string essence(std::string_view type) {
  type = type.substr(0, type.find(';'));
  while (!type.empty() && is_ows(type.front()))
    type.remove_prefix(1);
  while (!type.empty() && is_ows(type.back()))
    type.remove_suffix(1);
  std::string out(type);
  for (char& c : out)
    c = lower(c);
  return out;
}

const row* find_row(std::string_view detected) {
  for (const row& r : rows) {
    if (r.detected == detected) return &r;
  }
  return nullptr;
}

bool shown_inline(file_kind k) {
  return k == image || k == video || k == audio || k == voice;
}

}  // namespace

std::string_view to_string(file_kind k) {
  switch (k) {
    case image:
      return "image";
    case video:
      return "video";
    case audio:
      return "audio";
    case voice:
      return "voice";
    case document:
      return "document";
    case archive:
      return "archive";
  }
  return "document";
}

std::optional<file_type> classify_file(std::string_view detected, std::string_view declared,
                                       bool voice_note) {
  const std::string found = essence(detected);
  const row* r = find_row(found);
  if (r == nullptr) return std::nullopt;
  file_type t{std::string(r->served), r->kind, r->inline_ok};
  const std::string claimed = essence(declared);
  for (const refinement& f : refinements) {
    if (f.detected == found && f.declared == claimed) {
      t = file_type{std::string(f.served), f.kind, shown_inline(f.kind)};
      break;
    }
  }
  if (!voice_note) return t;
  if (t.kind != audio) return std::nullopt;
  t.kind = voice;
  return t;
}

std::string allowed_types_text() {
  std::string out;
  for (const row& r : rows) {
    if (!out.empty()) out += ", ";
    out += r.detected;
  }
  return out;
}

}  // namespace hw::app
