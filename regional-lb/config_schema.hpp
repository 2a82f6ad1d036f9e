// The region.yaml loader's schema machinery is the generic one in
// base/yaml_util.hpp (shared with the GSLB policy loader); these names keep
// regional-lb code reading as before.
#pragma once

#include "base/yaml_util.hpp"

namespace gslb::lb {

using base::describe;
using base::LoadContext;
using base::Schema;
using base::SchemaItem;
using base::Section;
using base::ValueType;
using base::write_schema_table;

}  // namespace gslb::lb
