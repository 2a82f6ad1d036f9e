// Snapshot<T>: publish immutable data to many reader threads without a shared
// refcount on the hot path (the pattern of PowerDNS sholder.hh).
//
// The writer builds a complete T off the hot path and publish()es it. Each
// reader thread owns a Snapshot<T>::Reader that caches a shared_ptr and only
// touches the shared atomic when the generation counter has moved, so a
// steady-state read is one relaxed-ish atomic load of an integer.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

namespace gslb::base {

template <typename T>
class Snapshot {
 public:
  using ConstPtr = std::shared_ptr<const T>;

  explicit Snapshot(ConstPtr initial = nullptr) : current_(std::move(initial)) {}
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Any thread. Replaces the published value; readers see it at their next get().
  void publish(ConstPtr next) {
    ConstPtr old;
    {
      std::lock_guard lock(mutex_);
      old = std::exchange(current_, std::move(next));
      generation_.fetch_add(1, std::memory_order_release);
    }
    // `old` may be the last reference: destroy it outside the lock.
  }

  // Any thread; the slow path (takes the shared refcount).
  ConstPtr load() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Owned by exactly one thread. Holds the snapshot alive between calls.
  class Reader {
   public:
    explicit Reader(const Snapshot& source) : source_(&source) { refresh(); }

    // Returns the newest published value; cheap when nothing changed.
    const T* get() {
      if (source_->generation() != seen_) refresh();
      return cached_.get();
    }
    const ConstPtr& shared() {
      get();
      return cached_;
    }

   private:
    void refresh() {
      // Generation first: if a publish races with us we may load the newer
      // value with an older generation and merely refresh once more later.
      seen_ = source_->generation();
      ConstPtr next = source_->load();
      cached_.swap(next);  // the previous value is released outside the lock
    }
    const Snapshot* source_;
    std::uint64_t seen_ = 0;
    ConstPtr cached_;
  };

 private:
  mutable std::mutex mutex_;
  ConstPtr current_;  // guarded by mutex_
  std::atomic<std::uint64_t> generation_{1};
};

}  // namespace gslb::base
