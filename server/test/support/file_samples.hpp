#pragma once
// Test helper: small but real files of every type the file-sharing allowlist names, and of
// types it refuses, built in memory. Each carries the complete structure libmagic checks for
// its type (signatures, chunk/box/page layouts, CRCs, OLE directories, zip local headers), so
// what libmagic answers for them is what it answers for a real file of that type.

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hw::test::samples {

// ---- byte helpers ----------------------------------------------------------------------------

inline void le16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFFU));
  s.push_back(static_cast<char>((v >> 8U) & 0xFFU));
}
inline void le32(std::string& s, std::uint32_t v) {
  le16(s, v & 0xFFFFU);
  le16(s, v >> 16U);
}
inline void be32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    s.push_back(static_cast<char>((v >> static_cast<unsigned>(shift)) & 0xFFU));
}
inline std::uint32_t crc(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}
inline std::string bytes(std::initializer_list<unsigned> list) {
  std::string s;
  for (const unsigned b : list)
    s.push_back(static_cast<char>(b));
  return s;
}

// ---- images ----------------------------------------------------------------------------------

inline std::string png_chunk(std::string_view type, std::string_view data) {
  std::string s;
  be32(s, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type) + std::string(data);
  s += body;
  be32(s, crc(body));
  return s;
}

/// A 1x1 red RGB PNG.
inline std::string png() {
  std::string ihdr;
  be32(ihdr, 1);
  be32(ihdr, 1);
  ihdr += bytes({8, 2, 0, 0, 0});
  const std::string raw = bytes({0, 0xFF, 0, 0});
  std::string z(compressBound(raw.size()), '\0');
  uLongf zlen = z.size();
  compress(reinterpret_cast<Bytef*>(z.data()), &zlen, reinterpret_cast<const Bytef*>(raw.data()),
           raw.size());
  z.resize(zlen);
  return bytes({0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}) + png_chunk("IHDR", ihdr) +
         png_chunk("IDAT", z) + png_chunk("IEND", "");
}

/// A JFIF header and end of image: libmagic needs no more than the markers.
inline std::string jpeg() {
  return bytes({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00,
                0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9});
}

/// A 1x1 GIF89a.
inline std::string gif() {
  return "GIF89a" +
         bytes({1, 0, 1,   0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, '!', 0xF9, 4, 1, 0,  0,
                0, 0, ',', 0, 0,    0, 0, 1, 0, 1, 0,    0,    2,    2,   'D',  1, 0, ';'});
}

/// A lossless WebP (RIFF/WEBP with a VP8L chunk).
inline std::string webp() {
  const std::string vp8l = "VP8L" + bytes({5, 0, 0, 0, 0x2F, 0, 0, 0, 0, 0});
  std::string s = "RIFF";
  le32(s, static_cast<std::uint32_t>(4 + vp8l.size()));
  return s + "WEBP" + vp8l;
}

/// A 1x1 24-bit BMP with a BITMAPINFOHEADER.
inline std::string bmp() {
  const std::string pixels = bytes({0, 0, 0xFF, 0});
  std::string s = "BM";
  le32(s, static_cast<std::uint32_t>(54 + pixels.size()));
  le32(s, 0);
  le32(s, 54);
  for (const std::uint32_t v : {40U, 1U, 1U})
    le32(s, v);
  le16(s, 1);
  le16(s, 24);
  for (const std::uint32_t v :
       {0U, static_cast<std::uint32_t>(pixels.size()), 2835U, 2835U, 0U, 0U})
    le32(s, v);
  return s + pixels;
}

// ---- ISO base media (MP4, M4A, QuickTime) ----------------------------------------------------

inline std::string box(std::string_view type, std::string_view data) {
  std::string s;
  be32(s, static_cast<std::uint32_t>(8 + data.size()));
  return s + std::string(type) + std::string(data);
}

/// An ISO media file whose ftyp box has major brand `brand` (4 characters): "isom" and "mp42"
/// are MP4 video to libmagic, "M4A " and "F4A " audio, "qt  " QuickTime, "M4V " iTunes video.
inline std::string iso_media(std::string_view brand) {
  std::string ftyp = std::string(brand);
  be32(ftyp, 0x200);
  ftyp += std::string(brand) + "isom";
  return box("ftyp", ftyp) + box("free", "") + box("mdat", std::string(16, '\0'));
}

// ---- Matroska / WebM -------------------------------------------------------------------------

inline std::string ebml(std::string_view id, std::string_view data) {
  return std::string(id) + static_cast<char>(0x80U | data.size()) + std::string(data);
}

/// The EBML header of a Matroska file with DocType `doctype` ("webm", "matroska") and the
/// start of its Segment.
inline std::string ebml_file(std::string_view doctype) {
  const std::string header = ebml("\x42\x86", "\x01") + ebml("\x42\xF7", "\x01") +
                             ebml("\x42\xF2", "\x04") + ebml("\x42\xF3", "\x08") +
                             ebml("\x42\x82", doctype) + ebml("\x42\x87", "\x04") +
                             ebml("\x42\x85", "\x02");
  return ebml("\x1A\x45\xDF\xA3", header) +
         bytes({0x18, 0x53, 0x80, 0x67, 0x01, 0, 0, 0, 0, 0, 0, 0});
}
inline std::string webm() {
  return ebml_file("webm");
}
inline std::string matroska() {
  return ebml_file("matroska");
}

// ---- Ogg -------------------------------------------------------------------------------------

/// One beginning-of-stream Ogg page holding `packet` (its CRC is not checked by libmagic and
/// left zero).
inline std::string ogg_page(std::string_view packet) {
  std::string s = "OggS";
  s += bytes({0, 2});
  s += std::string(8, '\0');  // granule position
  le32(s, 1);                 // serial
  le32(s, 0);                 // sequence
  le32(s, 0);                 // crc
  std::string lacing;
  std::size_t n = packet.size();
  for (; n >= 255; n -= 255)
    lacing.push_back(static_cast<char>(0xFF));
  lacing.push_back(static_cast<char>(n));
  s.push_back(static_cast<char>(lacing.size()));
  return s + lacing + std::string(packet);
}
inline std::string ogg_vorbis() {
  return ogg_page("\x01vorbis" + bytes({0, 0,    0,    0, 1, 0x44, 0xAC, 0, 0, 0,    0, 0,
                                        0, 0x80, 0xB5, 1, 0, 0,    0,    0, 0, 0xB8, 1}));
}
inline std::string ogg_opus() {
  return ogg_page("OpusHead" + bytes({1, 1, 0x38, 1, 0x80, 0xBB, 0, 0, 0, 0, 0}));
}
inline std::string ogg_theora() {
  return ogg_page("\x80theora" +
                  bytes({3, 2,    1, 0, 1, 0, 1, 0, 0, 0x10, 0, 0, 0x10, 0, 0, 0,    0, 0,
                         0, 0x1E, 0, 0, 0, 1, 0, 0, 1, 0,    0, 1, 0,    0, 0, 0xC0, 0}));
}

// ---- audio -----------------------------------------------------------------------------------

/// An MPEG-1 Layer III stream: an ID3v2 tag and three 128 kbit/s frames.
inline std::string mp3() {
  std::string frame = bytes({0xFF, 0xFB, 0x90, 0x64});
  frame += std::string(413, '\0');
  return "ID3" + bytes({3, 0, 0, 0, 0, 0, 0}) + frame + frame + frame;
}

/// A 16-bit mono 8 kHz PCM WAV of 100 silent samples.
inline std::string wav() {
  const std::string pcm(200, '\0');
  std::string s = "RIFF";
  le32(s, static_cast<std::uint32_t>(36 + pcm.size()));
  s += "WAVEfmt ";
  le32(s, 16);
  le16(s, 1);
  le16(s, 1);
  le32(s, 8000);
  le32(s, 16000);
  le16(s, 2);
  le16(s, 16);
  s += "data";
  le32(s, static_cast<std::uint32_t>(pcm.size()));
  return s + pcm;
}

/// Four AAC frames with ADTS headers (MPEG-4, no CRC).
inline std::string aac() {
  std::string s;
  constexpr unsigned payload = 10;
  constexpr unsigned len = 7 + payload;
  for (int i = 0; i < 4; ++i) {
    s += bytes({0xFF, 0xF1, 0x50, 0x80U | ((len >> 11U) & 3U), (len >> 3U) & 0xFFU,
                ((len & 7U) << 5U) | 0x1FU, 0xFC});
    s += std::string(payload, '\0');
  }
  return s;
}

// ---- documents -------------------------------------------------------------------------------

inline std::string pdf() {
  return "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
}
inline std::string text() {
  return "hello world\nthis is a plain text file\n";
}
inline std::string csv() {
  return "name,age,city\nalice,30,paris\nbob,25,rome\ncarol,41,oslo\n";
}
inline std::string json() {
  return "{\"a\": 1, \"b\": [true, false, null], \"c\": \"x\"}\n";
}

/// The SummaryInformation property set naming the application that wrote an OLE file.
inline std::string ole_summary(std::string_view app) {
  std::string name(app);
  name.push_back('\0');
  while (name.size() % 4 != 0)
    name.push_back('\0');
  std::string codepage;
  le32(codepage, 2);  // VT_I2
  le16(codepage, 1252);
  le16(codepage, 0);
  std::string appname;
  le32(appname, 0x1E);  // VT_LPSTR
  le32(appname, static_cast<std::uint32_t>(app.size() + 1));
  appname += name;
  std::string body;
  for (const std::uint32_t v : {1U, 24U, 0x12U, static_cast<std::uint32_t>(24 + codepage.size())})
    le32(body, v);
  body += codepage + appname;
  std::string s;
  le16(s, 0xFFFE);
  le16(s, 0);
  le32(s, 0x00020006);
  s += std::string(16, '\0');
  le32(s, 1);
  s += bytes({0xE0, 0x85, 0x9F, 0xF2, 0xF9, 0x4F, 0x68, 0x10, 0xAB, 0x91, 0x08, 0x00, 0x2B, 0x27,
              0xB3, 0xD9});
  le32(s, 48);
  le32(s, static_cast<std::uint32_t>(8 + body.size()));
  le32(s, 2);
  return s + body;
}

/// A Composite Document File (OLE2, the pre-2007 Office container), version 3, with up to
/// three streams of up to 4096 bytes each (each padded to 4096: above the mini-stream cutoff,
/// so they live in regular 512-byte sectors).
inline std::string cdf(const std::vector<std::pair<std::u16string, std::string>>& streams) {
  constexpr std::uint32_t end_of_chain = 0xFFFFFFFEU;
  constexpr std::uint32_t free_sector = 0xFFFFFFFFU;
  constexpr std::uint32_t no_stream = 0xFFFFFFFFU;
  std::string h = bytes({0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1});
  h += std::string(16, '\0');
  for (const std::uint32_t v : {0x3EU, 3U, 0xFFFEU, 9U, 6U})
    le16(h, v);
  h += std::string(6, '\0');
  for (const std::uint32_t v : {0U, 1U, 1U, 0U, 0x1000U, end_of_chain, 0U, end_of_chain, 0U})
    le32(h, v);
  for (int i = 0; i < 109; ++i)
    le32(h, i == 0 ? 0 : free_sector);
  std::vector<std::uint32_t> fat{0xFFFFFFFDU, end_of_chain};  // the FAT, the directory
  std::string data;
  std::vector<std::uint32_t> starts;
  for (const auto& stream : streams) {
    starts.push_back(static_cast<std::uint32_t>(fat.size()));
    for (std::uint32_t k = 0; k < 8; ++k)
      fat.push_back(k < 7 ? static_cast<std::uint32_t>(fat.size() + 1) : end_of_chain);
    std::string padded = stream.second;
    padded.resize(4096, '\0');
    data += padded;
  }
  fat.resize(128, free_sector);
  std::string fat_sector;
  for (const std::uint32_t v : fat)
    le32(fat_sector, v);
  auto entry = [&](std::u16string_view name, unsigned type, std::uint32_t right,
                   std::uint32_t child, std::uint32_t start, std::uint32_t size) {
    std::string e;
    for (const char16_t c : name)
      le16(e, c);
    if (!name.empty()) le16(e, 0);
    e.resize(64, '\0');
    le16(e, name.empty() ? 0 : static_cast<std::uint32_t>(2 * (name.size() + 1)));
    e += bytes({type, 1});
    for (const std::uint32_t v : {no_stream, right, child})
      le32(e, v);
    e.resize(116, '\0');
    le32(e, start);
    le32(e, size);
    e.resize(128, '\0');
    return e;
  };
  std::string dir = entry(u"Root Entry", 5, no_stream, 1, end_of_chain, 0);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const auto right = i + 1 < streams.size() ? static_cast<std::uint32_t>(i + 2) : no_stream;
    dir += entry(streams[i].first, 2, right, no_stream, starts[i], 4096);
  }
  while (dir.size() < 512)
    dir += entry(u"", 0, no_stream, no_stream, 0, 0);
  h.resize(512, '\0');
  return h + fat_sector + dir + data;
}
inline std::string doc() {
  return cdf(
      {{u"\x05SummaryInformation", ole_summary("Microsoft Office Word")}, {u"WordDocument", "x"}});
}
inline std::string xls() {
  return cdf({{u"\x05SummaryInformation", ole_summary("Microsoft Excel")}, {u"Workbook", "x"}});
}
inline std::string ppt() {
  return cdf({{u"\x05SummaryInformation", ole_summary("Microsoft Office PowerPoint")},
              {u"PowerPoint Document", "x"}});
}
/// An OLE file whose summary names an application libmagic does not know.
inline std::string office_other() {
  return cdf({{u"\x05SummaryInformation", ole_summary("Frobnicator 3000")}, {u"Contents", "x"}});
}
/// An OLE file with neither a summary nor a stream libmagic knows (an installer looks so).
inline std::string ole_unknown() {
  return cdf({{u"Contents", "x"}});
}

// ---- archives --------------------------------------------------------------------------------

/// A zip of stored (uncompressed) entries, in order.
inline std::string zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  std::string central;
  for (const auto& [name, data] : entries) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t sum = crc(data);
    const auto size = static_cast<std::uint32_t>(data.size());
    le32(out, 0x04034B50U);
    for (const std::uint32_t v : {20U, 0U, 0U, 0U, 0x21U})
      le16(out, v);
    for (const std::uint32_t v : {sum, size, size})
      le32(out, v);
    le16(out, static_cast<std::uint32_t>(name.size()));
    le16(out, 0);
    out += name + data;
    le32(central, 0x02014B50U);
    for (const std::uint32_t v : {20U, 20U, 0U, 0U, 0U, 0x21U})
      le16(central, v);
    for (const std::uint32_t v : {sum, size, size})
      le32(central, v);
    for (const std::uint32_t v : {static_cast<std::uint32_t>(name.size()), 0U, 0U, 0U, 0U})
      le16(central, v);
    le32(central, 0);
    le32(central, offset);
    central += name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  le32(out, 0x06054B50U);
  le16(out, 0);
  le16(out, 0);
  le16(out, static_cast<std::uint32_t>(entries.size()));
  le16(out, static_cast<std::uint32_t>(entries.size()));
  le32(out, static_cast<std::uint32_t>(central.size()));
  le32(out, cd_offset);
  le16(out, 0);
  return out;
}
inline std::string plain_zip() {
  return zip({{"hello.txt", "hello"}});
}
/// An Office Open XML package whose main part is `part` ("word/document.xml", ...).
inline std::string ooxml(const std::string& part) {
  return zip({{"[Content_Types].xml",
               "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
               "package/2006/content-types\"/>"},
              {"_rels/.rels", "<x/>"},
              {part, "<x/>"}});
}
/// An OpenDocument package: the stored "mimetype" entry first, as the standard requires.
inline std::string odf(const std::string& mime) {
  return zip({{"mimetype", mime}, {"content.xml", "<x/>"}});
}

/// A gzip member holding `data` in one stored deflate block.
inline std::string gzip(std::string_view data = "hello hello hello") {
  std::string s = bytes({0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3});
  s.push_back(1);  // final stored block
  le16(s, static_cast<std::uint32_t>(data.size()));
  le16(s, static_cast<std::uint32_t>(~data.size() & 0xFFFFU));
  s += std::string(data);
  le32(s, crc(data));
  le32(s, static_cast<std::uint32_t>(data.size()));
  return s;
}

/// A POSIX ustar archive with one file.
inline std::string tar() {
  std::string h(512, '\0');
  auto put = [&](std::size_t at, std::string_view v) { h.replace(at, v.size(), v); };
  put(0, "a.txt");
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "00000000005");
  put(136, "00000000000");
  put(148, "        ");
  put(156, "0");
  put(257, std::string_view("ustar\0"
                            "00",
                            8));
  unsigned sum = 0;
  for (const char c : h)
    sum += static_cast<unsigned char>(c);
  std::string octal;
  for (int i = 0; i < 6; ++i, sum /= 8)
    octal.insert(octal.begin(), static_cast<char>('0' + sum % 8));
  put(148, octal);
  put(154, std::string_view("\0 ", 2));
  std::string data = "hello";
  data.resize(512, '\0');
  return h + data + std::string(1024, '\0');
}

/// A 7-Zip signature header (the start header's fields zero, as in an empty archive).
inline std::string seven_zip() {
  return bytes({'7', 'z', 0xBC, 0xAF, 0x27, 0x1C, 0, 4}) + std::string(24, '\0');
}

// ---- refused types ---------------------------------------------------------------------------

inline std::string html() {
  return "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script>"
         "</body></html>\n";
}
inline std::string svg() {
  return "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" "
         "height=\"1\"><script>alert(1)</script></svg>\n";
}
inline std::string shell_script() {
  return "#!/bin/sh\necho hi\n";
}

/// A DOS stub and a PE header of a 32-bit Windows executable.
inline std::string pe() {
  std::string s = "MZ";
  s += std::string(58, '\0');
  le32(s, 0x80);  // e_lfanew
  s.resize(0x80, '\0');
  s += std::string("PE\0\0", 4);
  le16(s, 0x14C);  // i386
  le16(s, 1);
  le32(s, 0);
  le32(s, 0);
  le32(s, 0);
  le16(s, 0xE0);   // optional header size
  le16(s, 0x102);  // executable, 32-bit
  le16(s, 0x10B);  // PE32 optional header magic
  return s + std::string(300, '\0');
}

/// The first bytes of a real ELF executable of this machine.
inline std::string elf() {
  std::ifstream in("/bin/true", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s.substr(0, 64 * 1024);
}

}  // namespace hw::test::samples
