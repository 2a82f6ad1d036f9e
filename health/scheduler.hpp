// Scheduler: runs every health check on one io_context and thread of its own,
// feeds results through a StateMachine and RttEstimator per probe stream, and
// publishes an immutable HealthView through base::Snapshot.
//
// - Dedup (STYLE.md habit 7): targets with the same (address, CheckSpec) share
//   one probe stream, however many pools or records name them. Target ids are
//   the consumers' names (e.g. "pool/member"); the view is keyed by them.
// - Jitter (pitfall 5): the first probe of a stream starts after a uniform
//   random delay in [0, interval x jitter]; later waits are interval x
//   (1 +- jitter), counted from the end of the previous probe, so probes never
//   overlap for one stream and spread out across streams.
// - Publication: a state change or a pending change publishes at once; an
//   update that only moves RTT or detail is published at most once per
//   Options::publish_interval.
// - Persistence (optional StateStore): each result is queued for the store
//   (never blocking the io thread); at construction, stored states younger
//   than Options::restore_max_age become the streams' starting states, and
//   stored overrides are applied.
//
// Thread safety: every public member may be called from any thread. Changes
// are posted to the io thread and show up in view() shortly after (tests poll
// the view with a deadline).
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>

#include "base/snapshot.hpp"
#include "health/check_spec.hpp"
#include "health/health_view.hpp"
#include "health/http_probe.hpp"
#include "health/overrides.hpp"
#include "health/probe.hpp"
#include "health/state_store.hpp"
#include "health/tcp_probe.hpp"

namespace gslb::health {

class Scheduler {
 public:
  struct Options {
    HttpProbe::Options http;
    std::uint64_t seed = 0;  // jitter RNG; 0 draws one from std::random_device
    std::chrono::milliseconds publish_interval{1000};
    StateStore* store = nullptr;  // not owned; must outlive the Scheduler
    // Stored states older than this are neither restored nor kept: the
    // target may have changed completely while gslb was not watching.
    std::chrono::seconds restore_max_age{3600};
    // Called on the io thread after every publication with the new view, so
    // that a consumer can rebuild what it derives from health (the regional
    // LB's pool view) on the event rather than per request. Must not block.
    std::function<void(const std::shared_ptr<const HealthView>&)> on_publish;
  };

  // Loads stored states and overrides when options.store is set. Throws
  // std::runtime_error when options.http.ca_file cannot be loaded.
  explicit Scheduler(Options options);
  Scheduler() : Scheduler(Options{}) {}
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Registers (or re-points) target `id` to be checked at `address` with
  // `spec`. Returns "" or validate()'s message, in which case nothing changes.
  std::string add_target(const std::string& id, const boost::asio::ip::address& address, const CheckSpec& spec);
  void remove_target(const std::string& id);
  // Forced::none lifts an override. Persisted when a store is set.
  void set_override(const std::string& id, Forced forced, std::string reason);

  // Starts the io thread. Calls made before start() take effect at start.
  void start();
  // Stops probing, queues the final state for the store and joins the
  // thread. In-flight probes are abandoned. Idempotent.
  void stop();

  const base::Snapshot<HealthView>& view() const { return view_; }
  std::size_t probe_streams() const { return stream_count_.load(); }
  std::uint64_t probes_started() const { return probes_started_.load(); }

  // "<address>|<spec.normalized().canonical()>": identity of a probe stream and its key in
  // the state store.
  static std::string check_key(const boost::asio::ip::address& address, const CheckSpec& spec);

 private:
  struct Stream;

  // Everything below runs on the io thread only.
  void attach(const std::string& id, const boost::asio::ip::address& address, const CheckSpec& spec);
  void detach(const std::string& id);
  void schedule(const std::shared_ptr<Stream>& stream, std::chrono::milliseconds delay);
  void run_probe(const std::shared_ptr<Stream>& stream);
  void on_result(const std::shared_ptr<Stream>& stream, ProbeResult result);
  CheckRecord record_of(const Stream& stream) const;
  void publish_now();
  void publish_later();
  std::chrono::milliseconds jittered(const CheckSpec& spec, double low, double high);

  Options options_;
  base::Snapshot<HealthView> view_;
  std::atomic<std::size_t> stream_count_{0};
  std::atomic<std::uint64_t> probes_started_{0};

  // Declared before io_ so that they outlive the handlers io_ destroys.
  std::unique_ptr<TcpProbe> tcp_probe_;
  std::unique_ptr<HttpProbe> http_probe_;

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::steady_timer publish_timer_;
  bool publish_armed_ = false;
  bool stopping_ = false;
  std::mt19937_64 rng_;
  std::unordered_map<std::string, std::shared_ptr<Stream>> streams_;  // by check key
  std::map<std::string, std::shared_ptr<Stream>> targets_;            // by target id
  std::unordered_map<std::string, CheckRecord> restored_;             // by check key, from the store
  Overrides overrides_;

  std::thread thread_;
};

}  // namespace gslb::health
