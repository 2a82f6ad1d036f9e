#include "health/scheduler.hpp"

#include <boost/asio/post.hpp>
#include <set>

#include "base/log.hpp"
#include "health/rtt_estimator.hpp"
#include "health/state_machine.hpp"

namespace gslb::health {

namespace asio = boost::asio;
using std::chrono::milliseconds;

struct Scheduler::Stream {
  Stream(asio::io_context& io, std::string key_, asio::ip::address address_, CheckSpec spec_, State start)
      : key(std::move(key_)),
        address(address_),
        spec(std::move(spec_)),
        machine(spec.rise, spec.fall, start),
        timer(io) {}

  std::string key;
  asio::ip::address address;
  CheckSpec spec;
  std::set<std::string> targets;
  StateMachine machine;
  RttEstimator rtt;
  asio::steady_timer timer;
  std::chrono::system_clock::time_point since;
  std::chrono::steady_clock::time_point last_result;
  std::string detail;
  bool removed = false;
};

std::string Scheduler::check_key(const asio::ip::address& address, const CheckSpec& spec) {
  return address.to_string() + "|" + spec.normalized().canonical();
}

Scheduler::Scheduler(Options options)
    : options_(std::move(options)),
      view_(std::make_shared<const HealthView>()),
      io_(1),
      publish_timer_(io_),
      rng_(options_.seed ? options_.seed : std::random_device{}()) {
  tcp_probe_ = std::make_unique<TcpProbe>(io_.get_executor());
  http_probe_ = std::make_unique<HttpProbe>(io_.get_executor(), options_.http);
  work_.emplace(io_.get_executor());
  if (options_.store) {
    const auto oldest = std::chrono::system_clock::now() - options_.restore_max_age;
    for (CheckRecord& r : options_.store->load_checks()) {
      if (r.updated >= oldest) restored_.emplace(r.check_key, std::move(r));
    }
    options_.store->forget_checks_before(oldest);
    for (OverrideRecord& r : options_.store->load_overrides()) overrides_.set(r.target_id, std::move(r.value));
  }
}

Scheduler::~Scheduler() {
  stop();
}

std::string Scheduler::add_target(const std::string& id, const asio::ip::address& address, const CheckSpec& spec) {
  if (std::string error = validate(spec); !error.empty()) return error;
  asio::post(io_, [this, id, address, spec = spec.normalized()] { attach(id, address, spec); });
  return {};
}

void Scheduler::remove_target(const std::string& id) {
  asio::post(io_, [this, id] {
    detach(id);
    publish_now();
  });
}

void Scheduler::set_override(const std::string& id, Forced forced, std::string reason) {
  Override value{forced, std::move(reason), std::chrono::system_clock::now()};
  if (options_.store) options_.store->save_override(OverrideRecord{id, value});
  asio::post(io_, [this, id, value = std::move(value)]() mutable {
    base::log_info("health", "override for ", id, ": ", to_string(value.forced),
                   value.reason.empty() ? "" : " (" + value.reason + ")");
    overrides_.set(id, std::move(value));
    publish_now();
  });
}

void Scheduler::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { io_.run(); });
}

void Scheduler::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    stopping_ = true;
    std::vector<CheckRecord> final_state;
    for (auto& [key, stream] : streams_) {
      stream->timer.cancel();
      if (stream->machine.state() != State::unknown) final_state.push_back(record_of(*stream));
    }
    if (options_.store) options_.store->save_checks(std::move(final_state));
    publish_timer_.cancel();
    io_.stop();
  });
  thread_.join();
  work_.reset();
}

void Scheduler::attach(const std::string& id, const asio::ip::address& address, const CheckSpec& spec) {
  const std::string key = check_key(address, spec);
  if (auto it = targets_.find(id); it != targets_.end()) {
    if (it->second->key == key) return;
    detach(id);
  }
  auto& stream = streams_[key];
  if (!stream) {
    State start = State::unknown;
    std::chrono::system_clock::time_point since = std::chrono::system_clock::now();
    std::string detail;
    std::optional<std::chrono::microseconds> rtt;
    if (auto found = restored_.find(key); found != restored_.end()) {
      start = found->second.state;
      since = found->second.since;
      detail = "restored: " + found->second.detail;
      rtt = found->second.rtt;
    }
    stream = std::make_shared<Stream>(io_, key, address, spec, start);
    stream->since = since;
    stream->detail = std::move(detail);
    if (rtt) stream->rtt.add(*rtt);
    stream_count_.store(streams_.size());
    schedule(stream, jittered(spec, 0.0, spec.jitter));
  }
  stream->targets.insert(id);
  targets_[id] = stream;
  publish_later();
}

void Scheduler::detach(const std::string& id) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;
  std::shared_ptr<Stream> stream = it->second;
  targets_.erase(it);
  stream->targets.erase(id);
  if (stream->targets.empty()) {
    // Last reference gone: stop probing. An in-flight probe's completion sees
    // `removed` (it holds only a weak_ptr once the map entry is erased).
    stream->removed = true;
    stream->timer.cancel();
    streams_.erase(stream->key);
    stream_count_.store(streams_.size());
  }
}

std::chrono::milliseconds Scheduler::jittered(const CheckSpec& spec, double low, double high) {
  // A wait of interval x (1 + u) with u uniform in [low, high]: the first
  // probe uses [0, jitter] of the interval as its whole delay, later waits
  // use 1 + [-jitter, +jitter].
  std::uniform_real_distribution<double> u(low, high);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(spec.interval.count()) * u(rng_)));
}

void Scheduler::schedule(const std::shared_ptr<Stream>& stream, milliseconds delay) {
  stream->timer.expires_after(delay);
  stream->timer.async_wait([this, weak = std::weak_ptr<Stream>(stream)](boost::system::error_code ec) {
    auto stream = weak.lock();
    if (ec || !stream || stream->removed || stopping_) return;
    run_probe(stream);
  });
}

void Scheduler::run_probe(const std::shared_ptr<Stream>& stream) {
  ++probes_started_;
  Probe& probe = stream->spec.type == CheckType::tcp ? static_cast<Probe&>(*tcp_probe_) : *http_probe_;
  probe.async_run(stream->address, stream->spec, [this, weak = std::weak_ptr<Stream>(stream)](ProbeResult result) {
    auto stream = weak.lock();
    if (!stream || stream->removed || stopping_) return;
    on_result(stream, std::move(result));
  });
}

void Scheduler::on_result(const std::shared_ptr<Stream>& stream, ProbeResult result) {
  const Transition transition = stream->machine.on_result(result.ok);
  stream->last_result = std::chrono::steady_clock::now();
  stream->detail = result.detail;
  if (transition == Transition::changed) {
    // A target coming back after an outage is ranked by fresh samples only.
    stream->rtt.reset();
    stream->since = std::chrono::system_clock::now();
    std::string names;
    for (const std::string& id : stream->targets) names += (names.empty() ? "" : ",") + id;
    base::log_info("health", names, " (", stream->address.to_string(), ":", stream->spec.port, " ",
                   to_string(stream->spec.type), ") is ", to_string(stream->machine.state()), ": ", result.detail);
  }
  if (result.ok) stream->rtt.add(result.rtt);
  if (options_.store) options_.store->save_check(record_of(*stream));
  if (transition == Transition::unchanged) {
    publish_later();
  } else {
    publish_now();
  }
  schedule(stream, jittered(stream->spec, 1.0 - stream->spec.jitter, 1.0 + stream->spec.jitter));
}

CheckRecord Scheduler::record_of(const Stream& stream) const {
  return CheckRecord{
      stream.key,   stream.machine.state(), stream.since, std::chrono::system_clock::now(), stream.rtt.smoothed(),
      stream.detail};
}

void Scheduler::publish_now() {
  HealthView::Map map;
  for (const auto& [id, stream] : targets_) {
    TargetHealth t;
    t.probed = stream->machine.state();
    t.forced = overrides_.forced(id);
    t.up = effective_up(t.probed, t.forced);
    t.since = stream->since;
    t.last_result = stream->last_result;
    t.rtt = stream->rtt.smoothed();
    t.rtt_max = stream->rtt.recent_max();
    t.detail = stream->detail;
    t.results_to_change = stream->machine.results_to_change();
    t.interval = stream->spec.interval;
    t.jitter = stream->spec.jitter;
    map.emplace(id, std::move(t));
  }
  auto view = std::make_shared<const HealthView>(std::move(map));
  view_.publish(view);
  if (options_.on_publish) options_.on_publish(view);
}

void Scheduler::publish_later() {
  if (publish_armed_) return;
  publish_armed_ = true;
  // The first registration after start publishes almost at once (so the view
  // lists every configured target quickly); later minor updates coalesce.
  publish_timer_.expires_after(view_.load()->targets().empty() ? milliseconds(0) : options_.publish_interval);
  publish_timer_.async_wait([this](boost::system::error_code ec) {
    publish_armed_ = false;
    if (ec || stopping_) return;
    publish_now();
  });
}

}  // namespace gslb::health
