// `gslb explain` text: the client's derived location, every candidate with
// its health and each step's result, then the answer with its TTL and ECS
// scope. Built from the same run_pipeline the query path uses, with a
// Trace. Allocates freely; control thread only.
#pragma once

#include <string>

#include "gslb/steering/pipeline.hpp"

namespace gslb::policy {

std::string render_explain(const PipelineInput& in, const PipelineResult& result, const Trace& trace,
                           const ClientContext& client);

}  // namespace gslb::policy
