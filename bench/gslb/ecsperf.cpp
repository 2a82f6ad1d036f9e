// ecsperf: a small UDP DNS load generator whose queries each carry their own
// EDNS Client Subnet option, for the GSLB benchmark (bench/gslb/run.sh).
// dnsperf sends one fixed EDNS option (-E) for a whole run, so a server's
// per-subnet work (geo lookups and any cache in front of them) would be seen
// for a single subnet only; here every line of the query file names its own.
//
//   ecsperf -s ADDR -p PORT -d FILE [-l SECONDS] [-q OUTSTANDING] [-t TIMEOUT_MS]
//
// FILE: one query per line, "NAME TYPE [SUBNET/PREFIX]" (TYPE A, AAAA, TXT, MX,
// SOA, NS, CNAME or a number); lines are sent in order, round and round.
// Every query has an OPT RR (RFC 6891, payload 1232) and, when a subnet is
// given, an ECS option (RFC 7871 §6: family, source prefix, scope 0, address
// truncated to the prefix).
//
// Method: one thread, one connected non-blocking UDP socket; keeps up to
// OUTSTANDING queries in flight, sends and receives in batches of up to 64
// (sendmmsg/recvmmsg), matches answers by DNS ID and counts a query lost when
// no answer came within TIMEOUT_MS. Bounded: it stops sending after SECONDS
// (at most 120) and waits at most TIMEOUT_MS more for the stragglers.
// Output (stdout), one line of key=value pairs:
//   sent completed lost seconds qps avg_latency_us noerror nxdomain servfail
//   other_rcode with_answer truncated
// where qps = completed / seconds (seconds: first send to the end of the wait).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "ecsperf: %s\n", why.c_str());
  std::exit(2);
}

int type_code(const std::string& t) {
  static const std::pair<const char*, int> types[] = {{"A", 1},   {"NS", 2},   {"CNAME", 5}, {"SOA", 6},
                                                      {"MX", 15}, {"TXT", 16}, {"AAAA", 28}, {"ANY", 255}};
  for (const auto& [name, code] : types)
    if (t == name) return code;
  char* end = nullptr;
  const long v = std::strtol(t.c_str(), &end, 10);
  if (end == t.c_str() || *end != 0 || v < 1 || v > 65535) return -1;
  return static_cast<int>(v);
}

void put16(std::string& w, int v) {
  w.push_back(static_cast<char>((v >> 8) & 0xff));
  w.push_back(static_cast<char>(v & 0xff));
}

// The query's wire form with ID 0 (set at send time). Empty on a bad line.
std::string build_query(const std::string& line, std::string& error) {
  std::istringstream in(line);
  std::string name, type, subnet;
  in >> name >> type >> subnet;
  const int qtype = type_code(type);
  if (name.empty() || qtype < 0) {
    error = "expected NAME TYPE [SUBNET/PREFIX]";
    return {};
  }
  std::string w;
  put16(w, 0);  // ID
  put16(w, 0);  // flags: a plain query, RD clear (the servers are authoritative)
  put16(w, 1);  // QDCOUNT
  put16(w, 0);  // ANCOUNT
  put16(w, 0);  // NSCOUNT
  put16(w, 1);  // ARCOUNT: the OPT RR
  std::size_t start = 0;
  if (name != ".") {
    if (name.back() != '.') name += '.';
    while (start < name.size()) {
      const std::size_t dot = name.find('.', start);
      const std::size_t len = dot - start;
      if (len == 0 || len > 63) {
        error = "bad name";
        return {};
      }
      w.push_back(static_cast<char>(len));
      w.append(name, start, len);
      start = dot + 1;
    }
  }
  w.push_back(0);
  put16(w, qtype);
  put16(w, 1);  // IN
  std::string option;
  if (!subnet.empty()) {
    const std::size_t slash = subnet.find('/');
    if (slash == std::string::npos) {
      error = "subnet without /PREFIX";
      return {};
    }
    const std::string address = subnet.substr(0, slash);
    const int prefix = std::atoi(subnet.c_str() + slash + 1);
    unsigned char bytes[16] = {};
    int family = 0, bits = 0;
    if (inet_pton(AF_INET, address.c_str(), bytes) == 1) {
      family = 1;
      bits = 32;
    } else if (inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
      family = 2;
      bits = 128;
    }
    if (family == 0 || prefix < 0 || prefix > bits) {
      error = "bad subnet";
      return {};
    }
    // RFC 7871 §6: ADDRESS is truncated to the source prefix, with the bits
    // past it zero.
    const int octets = (prefix + 7) / 8;
    if (prefix % 8) bytes[octets - 1] &= static_cast<unsigned char>(0xff << (8 - prefix % 8));
    put16(option, 8);  // OPTION-CODE: edns-client-subnet
    put16(option, 4 + octets);
    put16(option, family);
    option.push_back(static_cast<char>(prefix));
    option.push_back(0);  // SCOPE PREFIX-LENGTH: 0 in queries
    option.append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(octets));
  }
  w.push_back(0);  // OPT owner: root
  put16(w, 41);    // TYPE OPT
  put16(w, 1232);  // CLASS: UDP payload size
  put16(w, 0);     // extended RCODE, version
  put16(w, 0);     // DO clear
  put16(w, static_cast<int>(option.size()));
  w += option;
  return w;
}

struct Slot {
  std::uint64_t sent_ns = 0;
  bool in_flight = false;
};

}  // namespace

int main(int argc, char** argv) {
  std::string server = "127.0.0.1", file;
  int port = 53, seconds = 10, outstanding = 256, timeout_ms = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) fail("missing value after " + a);
    const char* v = argv[++i];
    if (a == "-s")
      server = v;
    else if (a == "-p")
      port = std::atoi(v);
    else if (a == "-d")
      file = v;
    else if (a == "-l")
      seconds = std::atoi(v);
    else if (a == "-q")
      outstanding = std::atoi(v);
    else if (a == "-t")
      timeout_ms = std::atoi(v);
    else
      fail("unknown option " + a + " (usage: ecsperf -s ADDR -p PORT -d FILE [-l S] [-q N] [-t MS])");
  }
  if (file.empty()) fail("-d FILE is required");
  if (port < 1 || port > 65535) fail("bad port");
  if (seconds < 1 || seconds > 120) fail("-l must be 1..120");
  if (outstanding < 1 || outstanding > 4096) fail("-q must be 1..4096");
  if (timeout_ms < 10 || timeout_ms > 10000) fail("-t must be 10..10000");

  std::vector<std::string> queries;
  {
    std::ifstream in(file);
    if (!in) fail(file + ": cannot open");
    std::string line, error;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty() || line[0] == '#') continue;
      std::string q = build_query(line, error);
      if (q.empty()) fail(file + ":" + std::to_string(number) + ": " + error);
      queries.push_back(std::move(q));
    }
  }
  if (queries.empty()) fail(file + ": no queries");

  sockaddr_storage to{};
  socklen_t to_length = 0;
  {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
    if (inet_pton(AF_INET, server.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<std::uint16_t>(port));
      to_length = sizeof *v4;
    } else if (inet_pton(AF_INET6, server.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<std::uint16_t>(port));
      to_length = sizeof *v6;
    } else {
      fail("bad server address " + server);
    }
  }
  const int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) fail(std::string("socket: ") + std::strerror(errno));
  const int buffer = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), to_length) != 0)
    fail(std::string("connect: ") + std::strerror(errno));

  constexpr int kBatch = 64;
  std::vector<Slot> slots(65536);
  // IDs are handed out first in, first out, so an ID given up on (lost) is
  // reused only 65,536 - OUTSTANDING queries later: a late answer to it is
  // then long discarded as not in flight.
  std::vector<std::uint16_t> free_ids(65536);
  for (std::size_t i = 0; i < free_ids.size(); ++i) free_ids[i] = static_cast<std::uint16_t>(i);
  std::size_t free_head = 0, free_count = 65536;
  // In-flight IDs in send order, to expire the oldest.
  std::vector<std::uint16_t> order(65536);
  std::size_t order_head = 0, order_count = 0;

  std::vector<std::string> send_buffers(kBatch);
  mmsghdr send_msgs[kBatch]{};
  iovec send_iov[kBatch]{};
  unsigned char receive_buffers[kBatch][1500];
  mmsghdr receive_msgs[kBatch]{};
  iovec receive_iov[kBatch]{};
  for (int i = 0; i < kBatch; ++i) {
    receive_iov[i] = {receive_buffers[i], sizeof receive_buffers[i]};
    receive_msgs[i].msg_hdr.msg_iov = &receive_iov[i];
    receive_msgs[i].msg_hdr.msg_iovlen = 1;
  }

  std::uint64_t sent = 0, completed = 0, lost = 0, latency_sum_ns = 0;
  std::uint64_t noerror = 0, nxdomain = 0, servfail = 0, other_rcode = 0, with_answer = 0, truncated = 0;
  std::size_t next_query = 0;
  std::size_t in_flight = 0;
  const std::uint64_t timeout_ns = static_cast<std::uint64_t>(timeout_ms) * 1000000ULL;
  const std::uint64_t start = now_ns();
  const std::uint64_t stop_sending = start + static_cast<std::uint64_t>(seconds) * 1000000000ULL;
  std::uint64_t now = start;

  auto expire = [&](std::uint64_t t) {
    while (order_count > 0) {
      const std::uint16_t id = order[order_head];
      Slot& s = slots[id];
      if (s.in_flight && t - s.sent_ns < timeout_ns) break;
      if (s.in_flight) {
        s.in_flight = false;
        --in_flight;
        ++lost;
        free_ids[(free_head + free_count++) % 65536] = id;
      }
      order_head = (order_head + 1) % 65536;
      --order_count;
    }
  };

  while (true) {
    now = now_ns();
    const bool sending = now < stop_sending;
    if (!sending && in_flight == 0) break;
    if (!sending && now >= stop_sending + timeout_ns) break;
    // Send up to the window.
    int n = 0;
    while (sending && n < kBatch && in_flight + static_cast<std::size_t>(n) < static_cast<std::size_t>(outstanding) &&
           free_count > 0) {
      const std::uint16_t id = free_ids[free_head];
      free_head = (free_head + 1) % 65536;
      --free_count;
      std::string& b = send_buffers[n];
      b = queries[next_query];
      next_query = (next_query + 1) % queries.size();
      b[0] = static_cast<char>(id >> 8);
      b[1] = static_cast<char>(id & 0xff);
      send_iov[n] = {b.data(), b.size()};
      send_msgs[n].msg_hdr.msg_iov = &send_iov[n];
      send_msgs[n].msg_hdr.msg_iovlen = 1;
      slots[id] = {now, true};
      order[(order_head + order_count++) % 65536] = id;
      ++n;
    }
    if (n > 0) {
      const int done = sendmmsg(fd, send_msgs, static_cast<unsigned>(n), 0);
      const int ok = done < 0 ? 0 : done;
      // Whatever the kernel refused (buffer full) is taken back.
      for (int i = n - 1; i >= ok; --i) {
        const std::uint16_t id = static_cast<std::uint16_t>((static_cast<unsigned char>(send_buffers[i][0]) << 8) |
                                                            static_cast<unsigned char>(send_buffers[i][1]));
        slots[id].in_flight = false;
        --order_count;
        free_head = (free_head + 65535) % 65536;
        free_ids[free_head] = id;
        ++free_count;
        next_query = (next_query + queries.size() - 1) % queries.size();
      }
      in_flight += static_cast<std::size_t>(ok);
      sent += static_cast<std::uint64_t>(ok);
    }
    // Receive what is there; wait (1 ms at most) only when nothing can be sent.
    const int got = recvmmsg(fd, receive_msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (got <= 0) {
      if (!sending || in_flight >= static_cast<std::size_t>(outstanding)) {
        pollfd p{fd, POLLIN, 0};
        poll(&p, 1, 1);
      }
      expire(now_ns());
      continue;
    }
    const std::uint64_t t = now_ns();
    for (int i = 0; i < got; ++i) {
      const unsigned char* r = receive_buffers[i];
      if (receive_msgs[i].msg_len < 12) continue;
      const std::uint16_t id = static_cast<std::uint16_t>((r[0] << 8) | r[1]);
      Slot& s = slots[id];
      if (!s.in_flight) continue;  // late answer to a query counted lost
      s.in_flight = false;
      --in_flight;
      free_ids[(free_head + free_count++) % 65536] = id;
      ++completed;
      latency_sum_ns += t - s.sent_ns;
      switch (r[3] & 0x0f) {
        case 0:
          ++noerror;
          break;
        case 2:
          ++servfail;
          break;
        case 3:
          ++nxdomain;
          break;
        default:
          ++other_rcode;
          break;
      }
      if ((r[6] | r[7]) != 0) ++with_answer;
      if (r[2] & 0x02) ++truncated;
    }
    expire(t);
  }
  lost += in_flight;
  const double elapsed = static_cast<double>(now_ns() - start) / 1e9;
  std::printf(
      "sent=%llu completed=%llu lost=%llu seconds=%.3f qps=%.0f avg_latency_us=%.0f noerror=%llu nxdomain=%llu "
      "servfail=%llu other_rcode=%llu with_answer=%llu truncated=%llu\n",
      static_cast<unsigned long long>(sent), static_cast<unsigned long long>(completed),
      static_cast<unsigned long long>(lost), elapsed, static_cast<double>(completed) / elapsed,
      completed ? static_cast<double>(latency_sum_ns) / static_cast<double>(completed) / 1000.0 : 0.0,
      static_cast<unsigned long long>(noerror), static_cast<unsigned long long>(nxdomain),
      static_cast<unsigned long long>(servfail), static_cast<unsigned long long>(other_rcode),
      static_cast<unsigned long long>(with_answer), static_cast<unsigned long long>(truncated));
  close(fd);
  return completed > 0 ? 0 : 1;
}
