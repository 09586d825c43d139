#include "app/validate.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "app/testing.hpp"

namespace hw::app {
namespace {

using namespace std::string_literals;

// ---- username --------------------------------------------------------------------------------

TEST(AppValidateUsername, AcceptsTheAllowedAlphabetAndLengths) {
  for (const char* ok : {"abc", "ABC", "a_b", "___", "user_123", "Z9_", "abcdefghijklmnopqrst"}) {
    const auto r = validate_username(ok);
    EXPECT_TRUE(r.ok) << ok;
    EXPECT_EQ(r.value, ok);  // kept as given, case included
    EXPECT_TRUE(r.code.empty());
  }
}

TEST(AppValidateUsername, RefusesBadLengthsAndCharacters) {
  for (const std::string& bad :
       {""s, "ab"s, "abcdefghijklmnopqrstu"s, "a b"s, "abc-d"s, "abc."s, "héllo"s, "abc\0"s,
        "abc\n"s, " abc"s, "abc "s, "ab$c"s, "\xF0\x9F\x98\x80\xF0\x9F\x98\x80"s, "user@x"s}) {
    const auto r = validate_username(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_EQ(r.code, "invalid_payload");
    EXPECT_EQ(r.field, "username");
    EXPECT_FALSE(r.message.empty());
    EXPECT_TRUE(r.value.empty());
  }
}

TEST(AppValidate, MessagesStateTheLimitsInForce) {
  // The limits are named constants (or arguments): the messages follow them.
  EXPECT_EQ(validate_username("ab").message, "username must be " + std::to_string(username_min) +
                                                 " to " + std::to_string(username_max) +
                                                 " characters");
  EXPECT_EQ(validate_username("ab").message, "username must be 3 to 20 characters");
  EXPECT_EQ(validate_language(std::string(language_tag_max + 1, 'a')).message,
            "language tag must be at most 35 characters");
  EXPECT_EQ(validate_interests({std::string(interest_max_chars + 1, 'a')}).message,
            "interests[0] is longer than 30 characters");
  EXPECT_EQ(validate_interests({"a", "b", "c"}, 2).message, "too many interests (at most 2)");
  EXPECT_EQ(validate_chat_text("abcd", 3).message, "text is longer than 3 characters");
}

TEST(AppValidateUsername, FieldNameIsTheCallers) {
  EXPECT_EQ(validate_username("x", "user.username").field, "user.username");
}

TEST(AppValidateUsername, GeneratedNamesAreValidAndVaried) {
  seeded_random rnd(7);
  std::set<std::string> seen;
  std::set<std::string> prefixes;
  for (int i = 0; i < 5000; ++i) {
    const std::string name = generate_username(rnd);
    ASSERT_TRUE(validate_username(name).ok) << name;
    ASSERT_GE(name.size(), 4U + 5U);
    // AdjectiveNoun1234: capitalised words, then exactly four digits.
    const std::string digits = name.substr(name.size() - 4);
    for (const char c : digits)
      ASSERT_TRUE(c >= '0' && c <= '9') << name;
    ASSERT_TRUE(name[0] >= 'A' && name[0] <= 'Z') << name;
    const std::string words = name.substr(0, name.size() - 4);
    for (const char c : words)
      ASSERT_TRUE(std::isalpha(static_cast<unsigned char>(c))) << name;
    std::size_t capitals = 0;
    for (const char c : words)
      capitals += (c >= 'A' && c <= 'Z') ? 1 : 0;
    ASSERT_EQ(capitals, 2U) << name;
    seen.insert(name);
    prefixes.insert(words);
  }
  EXPECT_GT(seen.size(), 4900U);
  EXPECT_GE(prefixes.size(), 1600U);  // ≥ 40 × 40 combinations show up
}

TEST(AppValidateUsername, GeneratorReplaysFromTheSeed) {
  seeded_random a(99);
  seeded_random b(99);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(generate_username(a), generate_username(b));
}

TEST(AppValidateUsername, ResolveGeneratesWhenAbsentOrEmpty) {
  seeded_random rnd(1);
  const auto absent = resolve_username(std::nullopt, rnd);
  ASSERT_TRUE(absent.ok);
  EXPECT_TRUE(validate_username(absent.value).ok);
  const auto empty = resolve_username(std::string_view{}, rnd);
  ASSERT_TRUE(empty.ok);
  EXPECT_TRUE(validate_username(empty.value).ok);
  const auto given = resolve_username("Alice_1", rnd);
  ASSERT_TRUE(given.ok);
  EXPECT_EQ(given.value, "Alice_1");
  const auto bad = resolve_username("no", rnd);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.field, "username");
}

// ---- language --------------------------------------------------------------------------------

TEST(AppValidateLanguage, NormalisesCase) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"en", "en"},
      {"EN", "en"},
      {"EN-us", "en-US"},
      {"en-us", "en-US"},
      {"zh-hant-tw", "zh-Hant-TW"},
      {"ZH-HANT-TW", "zh-Hant-TW"},
      {"sr-latn", "sr-Latn"},
      {"es-419", "es-419"},
      {"de-CH-1996", "de-CH-1996"},
      {"sl-rozaj-biske", "sl-rozaj-biske"},
      {"SL-ROZAJ", "sl-rozaj"},
      {"ca-ES-valencia", "ca-ES-valencia"},
      {"zh-yue", "zh-yue"},
      {"zh-YUE-HK", "zh-yue-HK"},
      {"fil", "fil"},
      {"en-US-u-CA-gregory", "en-US-u-ca-gregory"},
      {"de-DE-u-co-phonebk", "de-DE-u-co-phonebk"},
      {"en-a-bbb-x-a-ccc", "en-a-bbb-x-a-ccc"},
      {"az-Latn-x-LATN", "az-Latn-x-latn"},
      {"en-x-US", "en-x-us"},  // private use is lower case, not a region
      {"en-t-AB-CD", "en-t-ab-cd"},
      {"hy-Latn-IT-arevela", "hy-Latn-IT-arevela"},
      {"qaa-Qaaa-QM-x-southern", "qaa-Qaaa-QM-x-southern"},
      {"en-1234", "en-1234"},  // a digit and three alphanumerics is a variant
      {"en-1abc", "en-1abc"},
  };
  for (const auto& [in, want] : cases) {
    const auto r = validate_language(in);
    EXPECT_TRUE(r.ok) << in << ": " << r.message;
    EXPECT_EQ(r.value, want) << in;
  }
}

TEST(AppValidateLanguage, RefusesMalformedTags) {
  for (const std::string& bad : {""s,
                                 "e"s,
                                 "english"s,
                                 "french"s,
                                 "engl"s,
                                 "en_US"s,
                                 "en-"s,
                                 "-en"s,
                                 "en--US"s,
                                 "en US"s,
                                 " en"s,
                                 "en "s,
                                 "en-US-"s,
                                 "1en"s,
                                 "e1"s,
                                 "x-private"s,
                                 "i-klingon"s,
                                 "en-a"s,
                                 "en-x"s,
                                 "en-a-b-c"s,
                                 "en-US-US"s,
                                 "en-Latn-Latn"s,
                                 "en-abcdefghi"s,
                                 "en-u-ca-gregory-u-nu-thai"s,
                                 "de-1996-1996"s,
                                 "en-US-a"s,
                                 "en-12"s,
                                 "en-abc-def-ghi-jkl"s,
                                 "en\0"s,
                                 "é"s,
                                 "en-\xC3\xA9"s,
                                 "en-x-abcdefghi"s}) {
    const auto r = validate_language(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_EQ(r.code, "invalid_payload");
    EXPECT_EQ(r.field, "language");
  }
}

TEST(AppValidateLanguage, LengthLimitIs35) {
  const std::string tag35 = "en-x-aaaaaaaa-bbbbbbbb-cccccccc-ddd";  // 35 characters
  ASSERT_EQ(tag35.size(), 35U);
  EXPECT_TRUE(validate_language(tag35).ok);
  EXPECT_FALSE(validate_language(tag35 + "d").ok);
  EXPECT_FALSE(validate_language(std::string(10000, 'a')).ok);
}

TEST(AppValidateLanguage, PrimaryLanguage) {
  EXPECT_EQ(primary_language("en-US"), "en");
  EXPECT_EQ(primary_language("zh-Hant-TW"), "zh");
  EXPECT_EQ(primary_language("fil"), "fil");
  EXPECT_EQ(primary_language(""), "");
}

// ---- interests -------------------------------------------------------------------------------

std::vector<std::string> ok_interests(const std::vector<std::string>& in, std::size_t max = 10) {
  const auto r = validate_interests(in, max);
  EXPECT_TRUE(r.ok) << r.message;
  return r.value;
}

TEST(AppValidateInterests, NormalisesTrimsLowerCasesAndDeduplicates) {
  EXPECT_EQ(ok_interests({}), std::vector<std::string>{});
  EXPECT_EQ(ok_interests({"Music"}), std::vector<std::string>{"music"});
  EXPECT_EQ(ok_interests({"  Rock Music  ", "rock music", "JAZZ", "jazz", "Music"}),
            (std::vector<std::string>{"rock music", "jazz", "music"}));
  // Unicode white space is trimmed; interior spaces are kept as sent.
  EXPECT_EQ(ok_interests({"\xC2\xA0\xE3\x80\x80"
                          "anime\xE2\x80\x83"}),
            std::vector<std::string>{"anime"});
  EXPECT_EQ(ok_interests({"a  b"}), std::vector<std::string>{"a  b"});
  // Only ASCII is lower-cased.
  EXPECT_EQ(ok_interests({"\xC3\x89T\xC3\x89"}), std::vector<std::string>{"\xC3\x89t\xC3\x89"});
  // Order of first occurrence is kept.
  EXPECT_EQ(ok_interests({"b", "a", "B", "c", "A"}), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(AppValidateInterests, CountLimitIsConfigurableAndCountsBeforeDedup) {
  std::vector<std::string> ten(10, "x");
  EXPECT_EQ(ok_interests(ten), std::vector<std::string>{"x"});
  std::vector<std::string> eleven(11, "x");
  const auto r = validate_interests(eleven);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.field, "interests");
  EXPECT_EQ(r.code, "invalid_payload");
  EXPECT_TRUE(validate_interests({"a", "b", "c"}, 3).ok);
  EXPECT_FALSE(validate_interests({"a", "b", "c", "d"}, 3).ok);
  EXPECT_FALSE(validate_interests({"a"}, 0).ok);
}

TEST(AppValidateInterests, LengthCountsCodePoints) {
  EXPECT_TRUE(validate_interests({std::string(30, 'a')}).ok);
  EXPECT_FALSE(validate_interests({std::string(31, 'a')}).ok);
  std::string emoji30;
  for (int i = 0; i < 30; ++i)
    emoji30 += "\xF0\x9F\x8E\xB8";  // 🎸 is one code point
  EXPECT_TRUE(validate_interests({emoji30}).ok);
  EXPECT_FALSE(validate_interests({emoji30 + "\xF0\x9F\x8E\xB8"}).ok);
  // Trimming happens before counting.
  EXPECT_TRUE(validate_interests({"   " + std::string(30, 'a') + "\xE3\x80\x80"}).ok);
}

TEST(AppValidateInterests, RefusesEmptyControlsAndBadUtf8) {
  for (const std::string& bad : {""s, "   "s, "\xC2\xA0"s, "\xE3\x80\x80 "s, "a\tb"s, "a\nb"s,
                                 "\x01"s, "a\x7F"s, "a\xC2\x85"s, "a\xC2\x9F"s, "a\0b"s,
                                 "\xC0\xAF"s, "\xED\xA0\x80"s, "\xFF"s, "abc\xE2\x82"s}) {
    const auto r = validate_interests({"ok", bad});
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_EQ(r.field, "interests");
    EXPECT_NE(r.message.find("interests[1]"), std::string::npos) << r.message;
  }
}

// ---- report notes ----------------------------------------------------------------------------

void expect_bad_note(const std::string& in, std::size_t max = 500) {
  const auto r = validate_report_note(in, max);
  EXPECT_FALSE(r.ok) << ::testing::PrintToString(in);
  EXPECT_EQ(r.code, "invalid_payload");
  EXPECT_EQ(r.field, "note");
}

TEST(AppValidateReportNote, ChatTextRulesButMayBeEmpty) {
  for (const std::string& good : {""s, "   "s, "a\nb\tc"s, std::string(500, 'n'),
                                  " \n" + std::string(500, 'n') + "\xC2\xA0"s}) {
    EXPECT_TRUE(validate_report_note(good, 500).ok) << good.size();
  }
  std::string emoji;
  for (int i = 0; i < 500; ++i)
    emoji += "\xF0\x9F\x98\x80";
  EXPECT_TRUE(validate_report_note(emoji, 500).ok);
  expect_bad_note(emoji + "!");
  expect_bad_note(std::string(501, 'n'));
  expect_bad_note(std::string(10'240, 'n'));
  expect_bad_note("a\rb");
  expect_bad_note("a\x1b[31m");
  expect_bad_note("a\xC2\x85");
  expect_bad_note("\xED\xA0\x80");  // a surrogate
  expect_bad_note("\xC3");          // truncated
  EXPECT_EQ(validate_report_note("abc", 2).message, "note is longer than 2 characters");
}

// ---- chat text -------------------------------------------------------------------------------

std::string ok_text(const std::string& in, std::size_t max = 1000) {
  const auto r = validate_chat_text(in, max);
  EXPECT_TRUE(r.ok) << r.message;
  return r.value;
}

void expect_bad_text(const std::string& in, std::size_t max = 1000) {
  const auto r = validate_chat_text(in, max);
  EXPECT_FALSE(r.ok) << ::testing::PrintToString(in);
  EXPECT_EQ(r.code, "invalid_payload");
  EXPECT_EQ(r.field, "text");
  EXPECT_TRUE(r.value.empty());
}

TEST(AppValidateChatText, TrimsUnicodeWhiteSpace) {
  EXPECT_EQ(ok_text("hello"), "hello");
  EXPECT_EQ(ok_text("  hello \n\t"), "hello");
  EXPECT_EQ(ok_text("\xC2\xA0hi\xC2\xA0"), "hi");          // NBSP
  EXPECT_EQ(ok_text("\xE3\x80\x80hi\xE3\x80\x80"), "hi");  // U+3000 ideographic space
  EXPECT_EQ(ok_text("\xE1\x9A\x80hi\xE2\x80\x8A"), "hi");  // U+1680, U+200A
  EXPECT_EQ(ok_text("\xE2\x80\xA8hi\xE2\x80\xA9"), "hi");  // U+2028, U+2029
  EXPECT_EQ(ok_text("\xE2\x80\xAFhi\xE2\x81\x9F"), "hi");  // U+202F, U+205F
  EXPECT_EQ(ok_text("a \n b"), "a \n b");                  // interior kept
  EXPECT_EQ(ok_text("line1\nline2\ttab"), "line1\nline2\ttab");
  // Not White_Space: zero-width space and BOM are content.
  EXPECT_EQ(ok_text("\xE2\x80\x8Bhi"), "\xE2\x80\x8Bhi");
  EXPECT_EQ(ok_text("\xEF\xBB\xBFhi"), "\xEF\xBB\xBFhi");
}

TEST(AppValidateChatText, RefusesEmptyAfterTrim) {
  expect_bad_text("");
  expect_bad_text(" ");
  expect_bad_text("\n\n\t ");
  expect_bad_text("\xC2\xA0\xE3\x80\x80");
}

TEST(AppValidateChatText, LengthCountsCodePointsAfterTrim) {
  EXPECT_EQ(ok_text(std::string(1000, 'a')).size(), 1000U);
  expect_bad_text(std::string(1001, 'a'));
  EXPECT_EQ(ok_text("   " + std::string(1000, 'a') + "   ").size(), 1000U);
  std::string emoji;
  for (int i = 0; i < 1000; ++i)
    emoji += "\xF0\x9F\x98\x80";  // 😀: 4 bytes, one code point
  EXPECT_EQ(ok_text(emoji).size(), 4000U);
  expect_bad_text(emoji + "\xF0\x9F\x98\x80");
  std::string cjk;
  for (int i = 0; i < 1000; ++i)
    cjk += "\xE4\xB8\xAD";  // 中
  EXPECT_TRUE(validate_chat_text(cjk).ok);
  // Configurable maximum.
  EXPECT_TRUE(validate_chat_text("abcde", 5).ok);
  expect_bad_text("abcdef", 5);
  EXPECT_TRUE(validate_chat_text("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 2).ok);
  expect_bad_text("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 2);
}

TEST(AppValidateChatText, RefusesControlCharacters) {
  for (unsigned c = 0; c < 0x20; ++c) {
    if (c == '\n' || c == '\t') continue;
    expect_bad_text("a"s + static_cast<char>(c) + "b");
  }
  expect_bad_text("a\rb");
  expect_bad_text("hello\r\n");  // even at the end, before trimming
  expect_bad_text("a\x7F");
  expect_bad_text("a\xC2\x80");                      // U+0080 (C1)
  expect_bad_text("a\xC2\x85");                      // U+0085 NEL: C1 although White_Space
  expect_bad_text("a\xC2\x9F");                      // U+009F
  EXPECT_TRUE(validate_chat_text("a\xC2\xA0z").ok);  // U+00A0 is past C1
  expect_bad_text("a\0b"s);
}

TEST(AppValidateChatText, RefusesInvalidUtf8) {
  for (const std::string& bad : {
           "\x80"s,                      // lone continuation
           "a\xBF"s,                     // lone continuation
           "\xC0\x80"s,                  // overlong NUL
           "\xC0\xAF"s,                  // overlong '/'
           "\xC1\xBF"s,                  // overlong
           "\xE0\x80\xAF"s,              // overlong 3-byte
           "\xE0\x9F\xBF"s,              // overlong 3-byte (U+07FF)
           "\xF0\x80\x80\xAF"s,          // overlong 4-byte
           "\xF0\x8F\xBF\xBF"s,          // overlong 4-byte (U+FFFF)
           "\xED\xA0\x80"s,              // U+D800 high surrogate
           "\xED\xBF\xBF"s,              // U+DFFF low surrogate
           "\xED\xA0\xBD\xED\xB8\x80"s,  // CESU-8 surrogate pair
           "\xF4\x90\x80\x80"s,          // U+110000
           "\xF5\x80\x80\x80"s,          // lead F5
           "\xFE"s,
           "\xFF"s,                    // never in UTF-8
           "\xC3"s,                    // truncated 2-byte
           "\xE2\x82"s,                // truncated 3-byte
           "\xF0\x9F\x98"s,            // truncated 4-byte
           "\xF0\x9F\x98hi"s,          // truncated, then ASCII
           "\xC3\x28"s,                // bad continuation
           "\xE2\x28\xA1"s,            // bad continuation
           "\xF0\x28\x8C\xBC"s,        // bad continuation
           "ok\xF0\x9F\x98\x80\xF0"s,  // valid then truncated
       }) {
    expect_bad_text(bad);
  }
}

TEST(AppValidateChatText, AcceptsBoundaryCodePoints) {
  EXPECT_TRUE(validate_chat_text("\xC2\xA1").ok);                                      // U+00A1
  EXPECT_TRUE(validate_chat_text("\xDF\xBF").ok);                                      // U+07FF
  EXPECT_TRUE(validate_chat_text("\xE0\xA0\x80").ok);                                  // U+0800
  EXPECT_TRUE(validate_chat_text("\xED\x9F\xBF").ok);                                  // U+D7FF
  EXPECT_TRUE(validate_chat_text("\xEE\x80\x80").ok);                                  // U+E000
  EXPECT_TRUE(validate_chat_text("\xEF\xBF\xBF").ok);                                  // U+FFFF
  EXPECT_TRUE(validate_chat_text("\xF0\x90\x80\x80").ok);                              // U+10000
  EXPECT_TRUE(validate_chat_text("\xF4\x8F\xBF\xBF").ok);                              // U+10FFFF
  EXPECT_TRUE(validate_chat_text("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9").ok);  // ZWJ
}

TEST(AppValidateUtf8, LengthHelper) {
  EXPECT_EQ(utf8_length(""), 0U);
  EXPECT_EQ(utf8_length("abc"), 3U);
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80"), 1U);
  EXPECT_EQ(utf8_length("h\xC3\xA9llo"), 5U);
  EXPECT_EQ(utf8_length("\xC0\x80"), std::nullopt);
  EXPECT_EQ(utf8_length("\xED\xA0\x80"), std::nullopt);
}

TEST(AppValidateUtf8, WhiteSpaceTable) {
  for (const char32_t cp : {U'\t', U'\n', U'\v', U'\f', U'\r', U' ', char32_t{0x85}, char32_t{0xA0},
                            char32_t{0x1680}, char32_t{0x2000}, char32_t{0x200A}, char32_t{0x2028},
                            char32_t{0x2029}, char32_t{0x202F}, char32_t{0x205F}, char32_t{0x3000}})
    EXPECT_TRUE(is_unicode_space(cp)) << static_cast<unsigned>(cp);
  for (const char32_t cp :
       {U'a', char32_t{0x08}, char32_t{0x0E}, char32_t{0x200B}, char32_t{0x200C}, char32_t{0xFEFF},
        char32_t{0x180E}, char32_t{0x1FFF}, char32_t{0x3001}})
    EXPECT_FALSE(is_unicode_space(cp)) << static_cast<unsigned>(cp);
}

// ---- message ids -----------------------------------------------------------------------------

TEST(AppValidateMessageId, AcceptsUuidsAndLowerCasesThem) {
  const auto r = validate_message_id("123E4567-E89B-12D3-A456-426614174000");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.value, "123e4567-e89b-12d3-a456-426614174000");
  for (const char* ok :
       {"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",  // v4
        "017f22e2-79b0-7cc3-98c4-dc0c0c07398f",  // v7
        "AbCdEf01-2345-6789-aBcD-eF0123456789"}) {
    EXPECT_TRUE(validate_message_id(ok).ok) << ok;
  }
}

TEST(AppValidateMessageId, RefusesEverythingElse) {
  for (const std::string& bad :
       {""s, "123e4567e89b12d3a456426614174000"s, "{123e4567-e89b-12d3-a456-426614174000}"s,
        "urn:uuid:123e4567-e89b-12d3-a456-426614174000"s, "123e4567-e89b-12d3-a456-42661417400"s,
        "123e4567-e89b-12d3-a456-4266141740000"s, "123e4567-e89b-12d3-a456_426614174000"s,
        "123e4567-e89b-12d3-a4564-26614174000"s, "g23e4567-e89b-12d3-a456-426614174000"s,
        "123e4567-e89b-12d3-a456-42661417400 "s, " 23e4567-e89b-12d3-a456-426614174000"s,
        "123e4567--89b-12d3-a456-426614174000"s, "123e4567-e89b-12d3-a456-4266141740\0\0"s,
        "------------------------------------"s}) {
    const auto r = validate_message_id(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_EQ(r.field, "id");
    EXPECT_EQ(r.code, "invalid_payload");
  }
}

}  // namespace
}  // namespace hw::app
