#pragma once
// IP privacy for calls (docs/protocol.md §5): in relay mode the stranger must never receive an
// address of ours, so every ICE candidate and SDP the server relays is checked here. Only relay
// candidates (an address of the TURN server) pass, with their related address (raddr/rport:
// the client's own mapped address, which browsers fill in) blanked; host, server-reflexive and
// peer-reflexive candidates, mDNS names included, are refused, and so is an SDP whose
// connection lines (c=, a=rtcp) name an address no relay candidate of it names. Pure functions
// over strings; the candidate grammar is RFC 8839 §5.1.

#include <optional>
#include <string>
#include <string_view>

namespace hw::app {

/// One candidate attribute ("candidate:…", with or without "a="). The relayable form (raddr
/// 0.0.0.0, rport 0) of a relay candidate; nullopt for any other type or a malformed line. The
/// empty string (end of candidates) passes unchanged.
std::optional<std::string> relay_only_candidate(std::string_view candidate);

/// A whole SDP: every a=candidate line through relay_only_candidate, and c=/a=rtcp addresses
/// limited to 0.0.0.0, :: and the addresses of the SDP's own relay candidates. The rewritten SDP,
/// or nullopt when something would reveal an address.
std::optional<std::string> relay_only_sdp(std::string_view sdp);

}  // namespace hw::app
