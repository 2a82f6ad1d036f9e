// GeoWatcher: keeps a published GeoDb in step with the file on disk.
//
// It polls the path's identity (device, inode, size, mtime). When that
// differs from the loaded file and then stays the same for a quiescence
// period, the new file is opened and checked (GeoDb::open) and published
// through base::Snapshot<GeoDb>; readers pick it up at their next get(). A
// copy still being written therefore is not loaded half-done, and one `cp`
// causes one reload, not several (gdnsd does the same). Because the path is
// stat()ed, not an inode watched, replacement by rename (what editors,
// geoipupdate and `mv` do) is seen too, and so is a symlink switched to
// another file (stat follows the link).
//
// Failures never unpublish: a file that fails to open is reported once and
// the old database keeps serving until the file changes again; a missing file
// is reported once and likewise keeps the old one.
//
// Replace the file by rename, not by rewriting it in place: libmaxminddb maps
// the file, and truncating a mapped file under a reader is undefined.
//
// Threads: poll() is for one thread at a time: either the caller's (tests,
// or a server that drives it from its own timer) or, after start(), the
// watcher's own thread. Reports are delivered on the polling thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/snapshot.hpp"
#include "geo/geo_db.hpp"

namespace gslb::geo {

class GeoWatcher {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds poll_interval{1000};
    // How long the file must stay unchanged before it is loaded.
    std::chrono::milliseconds quiescence{2000};
  };

  struct Event {
    enum class Kind { loaded, load_failed, missing };
    Kind kind;
    std::string message;  // one line for the log: path and what happened
  };
  using Reporter = std::function<void(const Event&)>;

  // `target` must outlive the watcher. Every event is logged (component
  // "geo") and also passed to `reporter` when given.
  GeoWatcher(std::string path, base::Snapshot<GeoDb>& target, Options options, Reporter reporter = {});
  ~GeoWatcher();
  GeoWatcher(const GeoWatcher&) = delete;
  GeoWatcher& operator=(const GeoWatcher&) = delete;

  // Start-up load: opens the file now (no quiescence wait) and publishes it.
  // Returns "" on success, else the error for a start-up failure message
  // (nothing is published then).
  std::string load_initial();

  // One polling step at time `now`. Returns true when it published a new
  // database. Tests drive it with synthetic times; start() drives it with
  // Clock::now().
  bool poll(Clock::time_point now);

  // Runs poll() every poll_interval on a thread of its own until stop() (or
  // destruction). Call after load_initial().
  void start();
  void stop();

  std::uint64_t reload_count() const { return reloads_; }
  std::uint64_t failure_count() const { return failures_; }

 private:
  struct FileId {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const FileId&, const FileId&) = default;
  };
  std::optional<FileId> stat_path() const;
  void report(Event::Kind kind, std::string message);

  const std::string path_;
  base::Snapshot<GeoDb>& target_;
  const Options options_;
  Reporter reporter_;

  std::optional<FileId> loaded_;   // identity of the published file
  std::optional<FileId> failed_;   // identity of the last file that failed to load
  std::optional<FileId> pending_;  // a new identity waiting out the quiescence period
  Clock::time_point pending_since_{};
  bool missing_reported_ = false;
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> failures_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gslb::geo
