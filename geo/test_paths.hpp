// Test-only helper: where the committed geo test data lives. Included by
// *_test.cpp files only (they get GSLB_SOURCE_DIR from the build).
#pragma once

#include <string>

namespace gslb::geo {

inline std::string test_data_path(const std::string& name) {
  return std::string(GSLB_SOURCE_DIR) + "/tests/data/geo/" + name;
}

}  // namespace gslb::geo
