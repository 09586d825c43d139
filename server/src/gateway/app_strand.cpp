#include "gateway/app_strand.hpp"

#include <boost/asio/post.hpp>

namespace hw::gateway {

app_strand::app_strand(boost::asio::io_context& ioc) : strand_(boost::asio::make_strand(ioc)) {}

void app_strand::post(std::function<void()> task) {
  boost::asio::post(strand_, [this, task = std::move(task)] {
    task();
    if (after_) after_();
  });
}

}  // namespace hw::gateway
