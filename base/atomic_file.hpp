// Replace a file's contents so that readers see either the old or the new file,
// never a half-written one, even across a crash: write a temp file in the same
// directory, fsync it, rename over the target, fsync the directory.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace gslb::base {

// Returns an empty string on success, else a message naming the failing step.
std::string write_file_atomically(const std::filesystem::path& target, std::string_view contents);

}  // namespace gslb::base
