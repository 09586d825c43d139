#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <thread>

#include <fmt/format.h>

#include "config/table.hpp"
#include "core/text.hpp"

extern char** environ;  // NOLINT: POSIX, read once at start

namespace hw::config {

namespace {

using table::option;
using table::options;
using table::parse_uint;

std::string env_name(std::string_view flag) {
  std::string out = "HALLWAY_";
  for (char ch : flag) {
    out += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

const option* find_option(std::string_view name) {
  for (const auto& o : options()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

}  // namespace

std::optional<millis> parse_duration(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    ++i;
  auto n = parse_uint<std::uint64_t>(s.substr(0, i));
  if (!n) return std::nullopt;
  const auto unit = s.substr(i);
  std::uint64_t mult = 0;
  if (unit.empty() || unit == "s")
    mult = 1000;
  else if (unit == "ms")
    mult = 1;
  else if (unit == "m")
    mult = 60'000;
  else if (unit == "h")
    mult = 3'600'000;
  else
    return std::nullopt;
  if (*n > std::numeric_limits<std::int64_t>::max() / mult / 2) return std::nullopt;
  return millis{static_cast<millis::rep>(*n * mult)};
}

std::optional<std::size_t> parse_size(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    ++i;
  auto n = parse_uint<std::uint64_t>(s.substr(0, i));
  if (!n) return std::nullopt;
  std::string unit(core::trim(s.substr(i)));
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  unsigned shift = 0;
  if (unit.empty() || unit == "b")
    shift = 0;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    shift = 10;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    shift = 20;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    shift = 30;
  else
    return std::nullopt;
  if (*n > (std::numeric_limits<std::size_t>::max() >> (shift + 1))) return std::nullopt;
  return static_cast<std::size_t>(*n << shift);
}

std::string help_text() {
  std::string out =
      "Usage: hallway [options]\n\n"
      "Anonymous random chat server. Every option is also read from the environment variable\n"
      "shown (the flag wins). Durations: 500ms, 10s, 2m, 1h (bare number = seconds).\n"
      "Sizes: 512, 8KiB, 1MiB (bare number = bytes).\n\nOptions:\n";
  for (const auto& o : options()) {
    out += fmt::format("  --{:<24} {}\n  {:<26} env {}, default: {}\n", o.name, o.help, "",
                       env_name(o.name), o.def.empty() ? "(none)" : o.def);
  }
  out +=
      "  --help                     Show this text\n  --version                  Show the "
      "version\n"
      "  --list-events              Print the realtime event names as JSON "
      "{\"client\":[...],\"server\":[...]}\n";
  return out;
}

namespace {

/// A setting that could not be applied: its name as the error shows it, and why.
struct failure {
  std::string name;
  std::string why;
};

/// What the command line asks for besides settings.
enum class action : std::uint8_t { run, help, version, list_events };

std::optional<failure> apply_environment(config& c, const std::map<std::string, std::string>& env) {
  for (const auto& o : options()) {
    if (auto it = env.find(env_name(o.name)); it != env.end()) {
      if (auto err = o.set(c, it->second); !err.empty()) {
        return failure{fmt::format("{} (from {})", o.name, env_name(o.name)), err};
      }
      c.explicitly_set.emplace(o.name);
    }
  }
  return std::nullopt;
}

std::optional<action> action_flag(std::string_view a) {
  if (a == "--help" || a == "-h") return action::help;
  if (a == "--version") return action::version;
  if (a == "--list-events") return action::list_events;
  return std::nullopt;
}

/// Applies the flags in order; stops at the first error or at --help, --version or
/// --list-events (stored in `act`).
std::optional<failure> apply_flags(config& c, const std::vector<std::string>& args, action& act) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (auto other = action_flag(a)) {
      act = *other;
      return std::nullopt;
    }
    if (!a.starts_with("--")) {
      return failure{std::string(a), "unexpected argument (flags start with --)"};
    }
    a.remove_prefix(2);
    std::string value;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      value = std::string(a.substr(eq + 1));
      a = a.substr(0, eq);
    } else if (a == "conformance") {  // the one boolean flag: its presence means true
      value = "true";
    } else {
      if (i + 1 >= args.size()) return failure{std::string(a), "missing value"};
      value = args[++i];
    }
    const option* o = find_option(a);
    if (o == nullptr) return failure{std::string(a), "unknown option (see --help)"};
    if (auto err = o->set(c, value); !err.empty()) return failure{std::string(a), err};
    c.explicitly_set.emplace(o->name);
  }
  return std::nullopt;
}

}  // namespace

parse_result parse(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  parse_result result;
  const auto fail = [&result](const failure& f) {
    result.exit_code = 2;
    result.output = fmt::format("hallway: invalid setting '{}': {}\n", f.name, f.why);
    return result;
  };
  config c;
  action act = action::run;
  // Environment first, so flags override it.
  if (auto bad = apply_environment(c, env)) return fail(*bad);
  if (auto bad = apply_flags(c, args, act)) return fail(*bad);
  switch (act) {
    case action::help:
      result.output = help_text();
      return result;
    case action::version:
      result.output = fmt::format("hallway {}\n", HALLWAY_VERSION);
      return result;
    case action::list_events:
      result.list_events = true;
      return result;
    case action::run:
      break;
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return fail({c.tls_cert.empty() ? "tls-cert" : "tls-key",
                 "--tls-cert and --tls-key must be given together"});
  }
  if (c.turn_urls.empty() != c.turn_secret.empty()) {
    return fail({c.turn_urls.empty() ? "turn-urls" : "turn-secret",
                 "--turn-urls and --turn-secret must be given together"});
  }
  for (const auto* p : {&c.call_privacy, &c.call_privacy_text}) {
    if (*p == "relay" && !c.turn()) {
      return fail({p == &c.call_privacy ? "call-privacy" : "call-privacy-text",
                   "relay needs a TURN server: --turn-urls and --turn-secret"});
    }
  }
  if (c.threads == 0) c.threads = std::max(1U, std::thread::hardware_concurrency());
  result.cfg = std::move(c);
  return result;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("HALLWAY_")) continue;
    if (auto eq = kv.find('='); eq != std::string_view::npos) {
      env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  return env;
}

}  // namespace hw::config
