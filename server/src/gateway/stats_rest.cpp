#include "gateway/stats_rest.hpp"

#include <boost/json.hpp>

#include "gateway/codec.hpp"
#include "gateway/rest.hpp"

namespace hw::gateway {

void stats_rest::handle(const http::request& req, http::respond_fn respond) {
  // Public counts, the same for everyone: not marked no-store.
  if (req.method != "GET") return respond(method_not_allowed("GET", "use GET", false));
  respond(http::make_text(200, "application/json", boost::json::serialize(encode_stats(read_()))));
}

}  // namespace hw::gateway
