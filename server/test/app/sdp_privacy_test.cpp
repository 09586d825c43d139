#include "app/sdp_privacy.hpp"

#include <gtest/gtest.h>

namespace hw::app {
namespace {

TEST(SdpPrivacy, OnlyRelayCandidatesPassWithTheirRelatedAddressBlanked) {
  EXPECT_EQ(relay_only_candidate("candidate:1 1 udp 41885439 203.0.113.7 50000 typ relay raddr "
                                 "198.51.100.9 rport 61000 generation 0 ufrag abcd"),
            "candidate:1 1 udp 41885439 203.0.113.7 50000 typ relay raddr 0.0.0.0 rport 0 "
            "generation 0 ufrag abcd");
  EXPECT_EQ(relay_only_candidate("a=candidate:2 1 tcp 1 203.0.113.7 3478 typ relay"),
            "a=candidate:2 1 tcp 1 203.0.113.7 3478 typ relay");
  EXPECT_EQ(relay_only_candidate(""), "") << "end of candidates";
  for (const char* leak : {
           "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0",
           "candidate:1 1 udp 2122260223 0b1c7a2e-8f1d-4f0c-9c3e-2b1d3f4a5b6c.local 54321 typ host",
           "candidate:3 1 udp 1686052607 198.51.100.9 61000 typ srflx raddr 192.168.1.20 rport "
           "54321",
           "candidate:4 1 udp 1 198.51.100.9 61000 typ prflx",
           "candidate:1 1 udp 1 203.0.113.7 50000 typ relayx",
           "candidate:1 1 udp 1 203.0.113.7 50000 typ",  // malformed
           "candidate:1 1 udp 1 203.0.113.7 50000 type relay",
           "garbage typ relay",
       }) {
    EXPECT_FALSE(relay_only_candidate(leak)) << leak;
  }
}

TEST(SdpPrivacy, AnSdpPassesWhenItsAddressesAreBlankOrItsRelays) {
  const std::string trickle =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
      "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=rtcp-mux\r\n";
  EXPECT_EQ(relay_only_sdp(trickle), trickle);
  const std::string with_relay =
      "v=0\r\nm=audio 50000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 203.0.113.7\r\n"
      "a=candidate:1 1 udp 41885439 203.0.113.7 50000 typ relay raddr 198.51.100.9 rport 6\r\n";
  auto safe = relay_only_sdp(with_relay);
  ASSERT_TRUE(safe);
  EXPECT_EQ(safe->find("198.51.100.9"), std::string::npos) << *safe;
  EXPECT_NE(safe->find("typ relay raddr 0.0.0.0 rport 0\r\n"), std::string::npos) << *safe;
}

TEST(SdpPrivacy, AnSdpRevealingAnAddressIsRefused) {
  EXPECT_FALSE(relay_only_sdp("v=0\r\nc=IN IP4 192.168.1.20\r\n")) << "a host address in c=";
  EXPECT_FALSE(relay_only_sdp("v=0\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 198.51.100.9\r\n"));
  EXPECT_FALSE(
      relay_only_sdp("v=0\r\nc=IN IP4 0.0.0.0\r\n"
                     "a=candidate:1 1 udp 1 192.168.1.20 5 typ host\r\n"));
  EXPECT_FALSE(relay_only_sdp("v=0\r\nc=IN IP6 2001:db8::1\r\n"));
  EXPECT_TRUE(relay_only_sdp("v=0\r\nc=IN IP6 ::\r\n"));
}

}  // namespace
}  // namespace hw::app
