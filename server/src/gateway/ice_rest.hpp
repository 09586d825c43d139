#pragma once
// GET /api/ice-servers (Bearer): what a browser needs to set up a call's RTCPeerConnection —
// the STUN URLs, the TURN URLs with time-limited credentials by the TURN REST convention coturn
// implements (use-auth-secret: username "<expiry>:<guest id>", credential
// base64(HMAC-SHA1(secret, username))), and the ICE transport policy of the chat's privacy mode
// (`?mode=video|text`; relay: TURN only, so neither side learns the other's address).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "app/calls.hpp"
#include "app/guest.hpp"
#include "app/ports.hpp"
#include "gateway/token_check.hpp"
#include "http/handler.hpp"

namespace hw::gateway {

struct ice_options {
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::string turn_secret;  ///< empty: no TURN
  std::chrono::seconds ttl{3600};
  app::call_privacy privacy_text = app::call_privacy::direct;
  app::call_privacy privacy_video = app::call_privacy::direct;
};

/// The TURN REST credential pair for `guest_id`, valid until `expires_unix`.
struct turn_credential {
  std::string username;
  std::string credential;
};
turn_credential make_turn_credential(std::string_view secret, std::string_view guest_id,
                                     std::int64_t expires_unix);

class ice_rest final : public http::handler {
 public:
  ice_rest(ice_options opts, token_verifier verify, app::session_store& sessions,
           const app::clock& clock);
  void handle(const http::request& req, http::respond_fn respond) override;

 private:
  ice_options opts_;
  token_verifier verify_;
  app::session_store& sessions_;
  const app::clock& clock_;
};

}  // namespace hw::gateway
