#pragma once
// Calls between the two guests of a chat (docs/protocol.md §5): the vocabulary of the call
// signaling the chat domain relays and the state it keeps per chat (idle → ringing → active →
// ended), so that a call is never stuck: an unanswered one ends at the ring timeout, and any
// end of the chat ends it. Media never passes here; SDP and candidates are opaque except for the
// privacy check of relay mode (app/sdp_privacy.hpp). Standard library only.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/ports.hpp"

namespace hw::app {

enum class call_type { audio, video };
std::string_view to_string(call_type t);
std::optional<call_type> parse_call_type(std::string_view s);

/// direct: peers may exchange any candidate (their addresses); relay: only TURN relay
/// candidates pass, so neither side learns the other's address.
enum class call_privacy { direct, relay };

struct calls_config {
  std::chrono::milliseconds ring_timeout{30'000};
  std::size_t max_sdp = 16UL << 10U;                  ///< bytes of an offer's or answer's SDP
  std::size_t max_candidate = 1UL << 10U;             ///< bytes of one candidate attribute
  call_privacy privacy_text = call_privacy::direct;   ///< calls started from a text chat
  call_privacy privacy_video = call_privacy::direct;  ///< video-mode chats
};

/// An ICE candidate as the browser gives it (RTCIceCandidateInit).
struct ice_candidate {
  std::string candidate;
  std::optional<std::string> sdp_mid;
  std::optional<std::int64_t> sdp_mline_index;
  std::optional<std::string> username_fragment;
};

/// What the domain tells a guest about its chat's call.
enum class signal_kind { offer, answer, candidate, end, reject, reveal, timeout };
struct call_signal {
  signal_kind kind = signal_kind::end;
  std::string from;  ///< the sending guest; empty when the server speaks (timeout, chat end)
  call_type type = call_type::audio;  ///< offer
  std::string sdp;                    ///< offer, answer
  ice_candidate candidate;            ///< candidate
  bool reveal = false;                ///< reveal
  std::string reason;                 ///< end: hangup, chat_ended
};

/// Monotonic counts of call transitions, for metrics (the gateway publishes the increments).
struct call_counts {
  std::uint64_t started = 0;     ///< idle → ringing
  std::uint64_t relay_only = 0;  ///< of those, in a relay-privacy chat
  std::uint64_t answered = 0;    ///< ringing → active
  std::uint64_t hangup = 0;      ///< ended by webrtc:call-end
  std::uint64_t rejected = 0;    ///< ended by webrtc:call-reject
  std::uint64_t timeout = 0;     ///< rang out
  std::uint64_t chat_ended = 0;  ///< ended with its chat
};

/// One chat's call. Absent from the domain's table while idle.
struct call_state {
  enum class phase { ringing, active };
  phase at = phase::ringing;
  std::string caller;
  std::string callee;
  call_type type = call_type::audio;
  time_point ring_deadline{};  ///< while ringing
};

}  // namespace hw::app
