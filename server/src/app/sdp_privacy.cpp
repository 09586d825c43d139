#include "app/sdp_privacy.hpp"

#include <set>
#include <vector>

namespace hw::app {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

std::string join(const std::vector<std::string_view>& parts, char sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back(sep);
    out.append(parts[i]);
  }
  return out;
}

/// The fields of "candidate:<foundation> <component> <transport> <priority> <address> <port> typ
/// <type> [ext-name ext-value]*" without the "a=" and "candidate:" prefixes.
std::optional<std::vector<std::string_view>> candidate_fields(std::string_view c) {
  if (c.starts_with("a=")) c.remove_prefix(2);
  if (!c.starts_with("candidate:")) return std::nullopt;
  c.remove_prefix(10);
  std::vector<std::string_view> f;
  for (auto part : split(c, ' ')) {
    if (!part.empty()) f.push_back(part);
  }
  // Six fixed fields, "typ" and its value, then name/value pairs.
  if (f.size() < 8 || f[6] != "typ" || f.size() % 2 != 0) return std::nullopt;
  return f;
}

}  // namespace

std::optional<std::string> relay_only_candidate(std::string_view candidate) {
  if (candidate.empty()) return std::string();
  auto f = candidate_fields(candidate);
  if (!f || (*f)[7] != "relay") return std::nullopt;
  // The related address of a relay candidate is the client's own mapped address: blanked.
  for (std::size_t i = 8; i + 1 < f->size(); i += 2) {
    if ((*f)[i] == "raddr") (*f)[i + 1] = "0.0.0.0";
    if ((*f)[i] == "rport") (*f)[i + 1] = "0";
  }
  const std::string_view prefix = candidate.starts_with("a=") ? "a=candidate:" : "candidate:";
  return std::string(prefix) + join(*f, ' ');
}

std::optional<std::string> relay_only_sdp(std::string_view sdp) {
  const auto lines = split(sdp, '\n');
  std::set<std::string, std::less<>> relay_addresses{"0.0.0.0", "::"};
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto line : lines) {
    const bool cr = line.ends_with('\r');
    if (cr) line.remove_suffix(1);
    if (line.starts_with("a=candidate:")) {
      auto safe = relay_only_candidate(line);
      if (!safe) return std::nullopt;
      relay_addresses.emplace(candidate_fields(*safe)->at(4));
      out.push_back(*safe + (cr ? "\r" : ""));
    } else {
      out.emplace_back(std::string(line) + (cr ? "\r" : ""));
    }
  }
  // Connection addresses are checked once every relay candidate is known.
  for (const auto& l : out) {
    std::string_view line(l);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const bool conn = line.starts_with("c=") || line.starts_with("a=rtcp:");
    if (!conn) continue;
    const auto parts = split(line, ' ');
    if (parts.size() < 3 || !relay_addresses.contains(parts.back())) return std::nullopt;
  }
  std::string joined;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) joined.push_back('\n');
    joined += out[i];
  }
  return joined;
}

}  // namespace hw::app
