#include "app/file_name.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/utf8.hpp"

namespace hw::app {
namespace {

using namespace std::string_literals;

// What every result must be, whatever the input.
void expect_safe(const std::string& name, const std::string& input) {
  EXPECT_TRUE(core::valid_utf8(name)) << input;
  EXPECT_FALSE(name.empty()) << input;
  EXPECT_LE(name.size(), file_name_max_bytes) << input;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20U && u != 0x7FU) << input;
    EXPECT_EQ(std::string("/\\\"*:<>?|").find(c), std::string::npos) << input;
  }
  for (const char* bad : {"\u202E", "\u202A", "\u2066", "\u2069", "\u200B", "\u200E", "\u200F",
                          "\uFEFF", "\u2060", "\u061C", "\u2028", "\xC2\x85", "\xC2\x9B"})
    EXPECT_EQ(name.find(bad), std::string::npos) << input;
  EXPECT_NE(name.front(), '.');
  EXPECT_NE(name.front(), ' ');
  EXPECT_NE(name.back(), '.');
  EXPECT_NE(name.back(), ' ');
}

std::string sane(const std::string& raw) {
  std::string out = sanitize_file_name(raw);
  expect_safe(out, raw);
  return out;
}

TEST(AppFileName, KeepsOrdinaryNames) {
  EXPECT_EQ(sane("photo.jpg"), "photo.jpg");
  EXPECT_EQ(sane("My Holiday (2).tar.gz"), "My Holiday (2).tar.gz");
  EXPECT_EQ(sane("a"), "a");
  EXPECT_EQ(sane("x.y.z"), "x.y.z");
  EXPECT_EQ(sane("100% done, really; ok=1 & more #2 [draft].txt"),
            "100% done, really; ok=1 & more #2 [draft].txt");
}

TEST(AppFileName, KeepsEmojiAndOtherScripts) {
  EXPECT_EQ(sane("\U0001F600 party \U0001F389.png"), "\U0001F600 party \U0001F389.png");
  EXPECT_EQ(sane("отчёт.pdf"), "отчёт.pdf");
  EXPECT_EQ(sane("تقرير.pdf"), "تقرير.pdf");
  EXPECT_EQ(sane("報告書.docx"), "報告書.docx");
  EXPECT_EQ(sane("नमस्ते.txt"), "नमस्ते.txt");
  // ZWJ sequences stay whole: a family, a rainbow flag; and Persian's ZWNJ.
  EXPECT_EQ(sane("\U0001F468\u200D\U0001F469\u200D\U0001F467.jpg"),
            "\U0001F468\u200D\U0001F469\u200D\U0001F467.jpg");
  EXPECT_EQ(sane("\U0001F3F3\uFE0F\u200D\U0001F308.png"), "\U0001F3F3\uFE0F\u200D\U0001F308.png");
  EXPECT_EQ(sane("می\u200Cخواهم.txt"), "می\u200Cخواهم.txt");
}

TEST(AppFileName, OnlyTheLastPathComponent) {
  EXPECT_EQ(sane("../../etc/passwd"), "passwd");
  EXPECT_EQ(sane("..\\..\\windows\\system32\\cmd.exe"), "cmd.exe");
  EXPECT_EQ(sane("/absolute/path/file.txt"), "file.txt");
  EXPECT_EQ(sane("C:\\Users\\me\\Desktop\\a.png"), "a.png");
  EXPECT_EQ(sane("mixed/sep\\arators/x.txt"), "x.txt");
  EXPECT_EQ(sane("dir/"), "file");
  EXPECT_EQ(sane("../.."), "file");
  EXPECT_EQ(sane(".."), "file");
  EXPECT_EQ(sane("/"), "file");
  // A separator hidden in an overlong encoding is not a separator but an invalid sequence.
  EXPECT_EQ(sane("a\xC0\xAF"
                 "b.txt"),
            "a\uFFFD\uFFFD"
            "b.txt");
  // Fullwidth solidus is a character like any other (it separates nothing).
  EXPECT_EQ(sane("a\uFF0Fb.txt"), "a\uFF0Fb.txt");
}

TEST(AppFileName, DropsControlCharacters) {
  EXPECT_EQ(sane("evil\0.png.exe"s), "evil.png.exe");
  EXPECT_EQ(sane("a\0b"s), "ab");
  EXPECT_EQ(sane("line\nbreak\r.txt"), "linebreak.txt");
  EXPECT_EQ(sane("tab\there.txt"), "tabhere.txt");
  EXPECT_EQ(sane("bell\a\x1B[31mred.txt"), "bell[31mred.txt");
  EXPECT_EQ(sane("del\x7F.txt"), "del.txt");
  EXPECT_EQ(sane("c1\xC2\x85\xC2\x9B.txt"), "c1.txt");
  EXPECT_EQ(sane("\0\0\0"s), "file");
}

TEST(AppFileName, DropsBidiAndInvisibleFormatCharacters) {
  // "invoice\u202Egnp.exe" shows as "invoiceexe.png".
  EXPECT_EQ(sane("invoice\u202Egnp.exe"), "invoicegnp.exe");
  EXPECT_EQ(sane("\u202Atext\u202B\u202C\u202D.txt"), "text.txt");
  EXPECT_EQ(sane("a\u2066b\u2067c\u2068d\u2069.txt"), "abcd.txt");
  EXPECT_EQ(sane("zero\u200Bwidth\u2060joiner\uFEFF.txt"), "zerowidthjoiner.txt");
  EXPECT_EQ(sane("marks\u200E\u200F\u061C.txt"), "marks.txt");
  EXPECT_EQ(sane("\uFEFFbom.txt"), "bom.txt");
  EXPECT_EQ(sane("para\u2028\u2029.txt"), "para.txt");
}

TEST(AppFileName, ReplacesCharactersWindowsReserves) {
  EXPECT_EQ(sane("\"quoted\".txt"), "_quoted_.txt");
  EXPECT_EQ(sane("a*b:c<d>e?f|g.txt"), "a_b_c_d_e_f_g.txt");
  EXPECT_EQ(sane("con:stream"), "con_stream");
  EXPECT_EQ(sane("\"; filename=evil.exe"), "_; filename=evil.exe");
}

TEST(AppFileName, StripsDotsAndSpacesAtTheEnds) {
  EXPECT_EQ(sane(".htaccess"), "htaccess");
  EXPECT_EQ(sane("...hidden"), "hidden");
  EXPECT_EQ(sane("  spaced  "), "spaced");
  EXPECT_EQ(sane("name.exe. . ."), "name.exe");
  EXPECT_EQ(sane(" . . name . . "), "name");
  EXPECT_EQ(sane("\u00A0\u3000wide\u3000.txt\u2003"), "wide\u3000.txt");
  EXPECT_EQ(sane("inner  spaces . kept.txt"), "inner  spaces . kept.txt");
  EXPECT_EQ(sane("..."), "file");
  EXPECT_EQ(sane("   "), "file");
  EXPECT_EQ(sane(""), "file");
}

TEST(AppFileName, ReplacesInvalidUtf8) {
  EXPECT_EQ(sane("bad\xFF.txt"), "bad\uFFFD.txt");
  EXPECT_EQ(sane("trunc\xE2\x82.txt"), "trunc\uFFFD\uFFFD.txt");
  EXPECT_EQ(sane("surrogate\xED\xA0\x80.txt"), "surrogate\uFFFD\uFFFD\uFFFD.txt");
  EXPECT_EQ(sane("\xC3\x28.txt"), "\uFFFD(.txt");
  EXPECT_EQ(sane("end\xF0\x9F\x98"), "end\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(sane("\x80"), "\uFFFD");
}

TEST(AppFileName, CutsLongNamesKeepingTheExtension) {
  const std::string long_stem(1000, 'a');
  const std::string cut = sane(long_stem + ".pdf");
  EXPECT_EQ(cut.size(), file_name_max_bytes);
  EXPECT_EQ(cut, std::string(196, 'a') + ".pdf");

  EXPECT_EQ(sane(std::string(1000, 'b')), std::string(200, 'b'));
  // An "extension" over 16 bytes is just part of the name.
  const std::string odd = sane(std::string(300, 'c') + "." + std::string(20, 'x'));
  EXPECT_EQ(odd, std::string(200, 'c'));
  const std::string at_limit = sane(std::string(300, 'c') + "." + std::string(15, 'x'));
  EXPECT_EQ(at_limit, std::string(184, 'c') + "." + std::string(15, 'x'));
  // Exactly 200 bytes is kept as is.
  EXPECT_EQ(sane(std::string(196, 'd') + ".txt"), std::string(196, 'd') + ".txt");
}

TEST(AppFileName, CutsAtACodePointBoundary) {
  std::string emoji;
  for (int i = 0; i < 100; ++i)
    emoji += "\U0001F600";  // 4 bytes each
  const std::string a = sane(emoji + ".png");
  EXPECT_EQ(a.size(), 196U + 4U - 0U);  // 49 emoji (196 bytes) and ".png"
  EXPECT_EQ(a.substr(a.size() - 4), ".png");
  const std::string b = sane("x" + emoji + ".png");  // 1 + 4n: 48 emoji fit after "x"
  EXPECT_EQ(b.size(), 1U + 48U * 4U + 4U);
  EXPECT_EQ(sane(std::string(500, '\0') + "ж" + std::string(300, 'z')),
            "ж" + std::string(198, 'z'));
  std::string three;
  for (int i = 0; i < 100; ++i)
    three += "€";  // 3 bytes each
  EXPECT_EQ(sane(three).size(), 198U);
  // A cut that would leave a trailing space or dot strips it.
  EXPECT_EQ(sane(std::string(199, 'e') + " " + std::string(100, 'f')), std::string(199, 'e'));
}

// Random bytes, biased towards the interesting ones: every result is safe.
TEST(AppFileName, RandomInputIsAlwaysMadeSafe) {
  std::mt19937 rng(12345);
  const std::string pieces[] = {"/",          "\\",     ".",    " ",    "\"",       "\0"s,
                                "\u202E",     "\u200D", "\xFF", "\xC3", "\xE2\x82", "a",
                                "\U0001F600", "ж",      "\t",   ":",    "\u3000",   "\xC2\x85"};
  for (int round = 0; round < 3000; ++round) {
    std::string raw;
    const int n = static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      if (rng() % 3 == 0)
        raw.push_back(static_cast<char>(rng() & 0xFFU));
      else
        raw += pieces[rng() % std::size(pieces)];
    }
    sane(raw);
  }
}

}  // namespace
}  // namespace hw::app
