#include "geo/geo_watcher.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace gslb::geo {

GeoWatcher::GeoWatcher(std::string path, base::Snapshot<GeoDb>& target, Options options, Reporter reporter)
    : path_(std::move(path)), target_(target), options_(options), reporter_(std::move(reporter)) {}

GeoWatcher::~GeoWatcher() {
  stop();
}

std::optional<GeoWatcher::FileId> GeoWatcher::stat_path() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return std::nullopt;
  FileId id;
  id.device = st.st_dev;
  id.inode = st.st_ino;
  id.size = st.st_size;
  id.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  return id;
}

void GeoWatcher::report(Event::Kind kind, std::string message) {
  if (kind == Event::Kind::loaded) {
    base::log_info("geo", message);
  } else {
    base::log_warning("geo", message);
  }
  if (reporter_) reporter_(Event{kind, std::move(message)});
}

std::string GeoWatcher::load_initial() {
  const auto before = stat_path();
  auto opened = GeoDb::open(path_);
  if (!opened.db) return opened.error;
  const std::string type = opened.db->database_type();
  target_.publish(std::shared_ptr<const GeoDb>(std::move(opened.db)));
  loaded_ = before;
  base::log_info("geo", path_, ": loaded ", type);
  return {};
}

bool GeoWatcher::poll(Clock::time_point now) {
  const auto id = stat_path();
  if (!id) {
    // gdnsd keeps the old database when the file vanishes; so do we. It is
    // often the middle of a delete-then-create replacement.
    if (!missing_reported_) {
      const int err = errno;
      report(Event::Kind::missing,
             path_ + ": " + std::strerror(err) + "; keeping the loaded database until the file returns");
      missing_reported_ = true;
    }
    pending_.reset();
    return false;
  }
  missing_reported_ = false;
  if (id == loaded_ || id == failed_) {
    pending_.reset();
    return false;
  }
  if (id != pending_) {
    // Changed since the last look: (re)start the quiescence clock.
    pending_ = id;
    pending_since_ = now;
    return false;
  }
  if (now - pending_since_ < options_.quiescence) return false;

  pending_.reset();
  auto opened = GeoDb::open(path_);
  if (!opened.db) {
    failed_ = id;
    ++failures_;
    report(Event::Kind::load_failed, opened.error + "; keeping the previous database");
    return false;
  }
  // A writer that touched the file while we opened it may have given us a
  // mixture; wait for it to settle instead of publishing that.
  if (stat_path() != id) return false;
  const std::string type = opened.db->database_type();
  target_.publish(std::shared_ptr<const GeoDb>(std::move(opened.db)));
  loaded_ = id;
  failed_.reset();
  ++reloads_;
  report(Event::Kind::loaded, path_ + ": reloaded " + type);
  return true;
}

void GeoWatcher::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      poll(Clock::now());
      lock.lock();
      wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    }
  });
}

void GeoWatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gslb::geo
