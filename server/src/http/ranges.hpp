#pragma once
// Conditional and partial GETs of an entity whose bytes live elsewhere (a blob on disk): the
// status and headers to answer with and which bytes to send; the caller streams them. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace hw::http {

/// What is being served: its length, its entity tag (quoted, `"..."` or `W/"..."`) and type.
struct entity {
  std::uint64_t size = 0;
  std::string etag;
  std::string content_type;
};

/// The answer to a GET or HEAD of an entity: `res` without a body, and the bytes to send.
struct entity_answer {
  response res;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

/// Status and headers (no body) for a GET or HEAD of `e`: 304 when If-None-Match matches
/// the etag (weak comparison, "*" too); 206 with Content-Range for one satisfiable
/// `bytes=` range (first-last, first-, -suffix; clamped to the size), honouring If-Range
/// (an etag; a date or mismatch → whole entity); 416 with `Content-Range: bytes */size` when
/// no range is satisfiable; 200 for the whole entity otherwise, including a Range with several
/// ranges (RFC 9110 lets a server ignore Range) and a malformed one. Always ETag and
/// Accept-Ranges: bytes; Content-Type from e. `offset`/`length`: the bytes to send.
///
/// Details: Range is only honoured for GET (RFC 9110 §14.2: HEAD gets the 200 headers, with
/// res.head_only set); If-Range compares strongly (a weak tag never matches); a zero-length
/// entity is always answered whole (200), since no byte of it can be addressed; 304 and 416
/// carry no Content-Type (they have no representation body).
entity_answer answer_entity(const request& req, const entity& e);

/// `inline` or `attachment` with an RFC 6266/8187 filename* (UTF-8, percent-encoded) and
/// an ASCII fallback filename (non-ASCII and quotes/backslashes replaced by '_').
/// The fallback also replaces control characters and '%' (which some browsers decode); an
/// empty name is "file".
std::string content_disposition(bool inline_, std::string_view utf8_name);

}  // namespace hw::http
