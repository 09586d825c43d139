#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace hw::core {
namespace {

TEST(Metrics, RendersFamiliesWithLabelsOnce) {
  registry r;
  r.get_counter("x_total", "Things", {{"route", "a"}}).inc(2);
  r.get_counter("x_total", "Things", {{"route", "b\"q"}}).inc();
  r.get_counter("x_total", "Things", {{"route", "a"}}).inc();  // same series
  r.get_gauge("open", "Open things").set(-3);
  r.add_computed_gauge("rss", "Memory", [] { return 42.0; });
  const auto text = r.render();
  EXPECT_NE(text.find("# HELP x_total Things\n# TYPE x_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("x_total{route=\"a\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("x_total{route=\"b\\\"q\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE open gauge\nopen -3\n"), std::string::npos);
  EXPECT_NE(text.find("rss 42\n"), std::string::npos);
  EXPECT_EQ(text.find("# TYPE x_total counter", text.find("# TYPE x_total counter") + 1),
            std::string::npos);
}

TEST(Metrics, ProcessRssIsPositive) {
  EXPECT_GT(process_rss_bytes(), 1024U * 1024U);
}

}  // namespace
}  // namespace hw::core
