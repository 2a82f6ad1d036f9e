#include "base/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gslb::base {

namespace {
std::string errno_message(const std::string& step, const std::filesystem::path& p) {
  return step + " " + p.string() + ": " + std::strerror(errno);
}
}  // namespace

std::string write_file_atomically(const std::filesystem::path& target, std::string_view contents) {
  const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return errno_message("create temp file in", dir);
  const std::filesystem::path tmp = tmpl;
  auto fail = [&](const std::string& step) {
    std::string msg = errno_message(step, tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return msg;
  };
  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    std::string msg = errno_message("close", tmp);
    ::unlink(tmp.c_str());
    return msg;
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    std::string msg = errno_message("rename to " + target.string() + " from", tmp);
    ::unlink(tmp.c_str());
    return msg;
  }
  // The rename is durable only once the directory entry is on disk.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace gslb::base
