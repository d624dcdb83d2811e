// The HOLD model on std::priority_queue: the native baseline for bench/kernel.ts.
// Compiled at bench time with `g++ -O2` into a temp dir; the binary is never committed.
//
//   hold PENDING OPS RUNS WARMUP SEED [INCREMENTS_FILE]
//
// Pre-fills PENDING events at times drawn from Exp(1) (from time 0), then repeatedly pops the
// minimum (time, seq) and pushes (popped time + Exp(1), next seq); ties pop by seq. With
// INCREMENTS_FILE (1024 numbers, one a line, '#' lines skipped: bench/kernel-model-delays.txt) the
// increments are drawn from that table instead of the Exp(1) quantiles. WARMUP untimed operations, then
// RUNS timed runs of OPS operations each on the same queue; prints the best run as one JSON line.
// The random increments come from the same xorshift32 stream as the JS side (same seed, same
// order of draws), so both run the same workload; `clock` (the final popped time) lets the suite
// check that.
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace {

// Exp(1) increments: the 1024 quantiles -ln(1 - (k + 0.5) / 1024), picked by the top 10 bits of a
// xorshift32 draw. A table keeps the transcendental out of the timed loop (V8's Math.log costs about
// three times glibc's log), so the benchmark measures the queues, not the math libraries.
constexpr int TABLE_BITS = 10;
double increments[1 << TABLE_BITS];

void fillIncrements() {
  for (int k = 0; k < (1 << TABLE_BITS); k++) increments[k] = -std::log(1 - (k + 0.5) / (1 << TABLE_BITS));
}

// Replaces the table with the file's numbers; false (with a message) unless it holds exactly 1024.
bool readIncrements(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (!f) {
    std::fprintf(stderr, "%s: cannot open\n", path);
    return false;
  }
  char line[256];
  int n = 0;
  int lineNo = 0;
  bool ok = true;
  while (ok && std::fgets(line, sizeof line, f)) {
    lineNo++;
    if (line[0] == '#' || line[0] == '\n') continue;
    char* end = nullptr;
    const double value = std::strtod(line, &end);
    if (end == line) {
      std::fprintf(stderr, "%s:%d: not a number\n", path, lineNo);
      ok = false;
    } else if (n == (1 << TABLE_BITS)) {
      std::fprintf(stderr, "%s:%d: more than %d numbers\n", path, lineNo, 1 << TABLE_BITS);
      ok = false;
    } else {
      increments[n++] = value;
    }
  }
  std::fclose(f);
  if (ok && n != (1 << TABLE_BITS)) {
    std::fprintf(stderr, "%s: %d numbers, expected %d\n", path, n, 1 << TABLE_BITS);
    ok = false;
  }
  return ok;
}

struct XorShift32 {
  uint32_t s;
  double exp() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return increments[s >> (32 - TABLE_BITS)];
  }
};

using Event = std::pair<double, uint64_t>;  // (time, seq): ties pop in insertion order
using MinHeap = std::priority_queue<Event, std::vector<Event>, std::greater<Event>>;

// Peak RSS of this process image. Linux: VmHWM, because ru_maxrss survives execve and so would
// report the spawning Node process's RSS. Elsewhere: ru_maxrss (KiB on Linux/BSD, bytes on macOS).
long long peakRssBytes() {
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long long kib = -1;
    while (std::fgets(line, sizeof line, f)) {
      if (std::strncmp(line, "VmHWM:", 6) == 0) {
        kib = std::atoll(line + 6);
        break;
      }
    }
    std::fclose(f);
    if (kib >= 0) return kib * 1024;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
#ifdef __APPLE__
  return static_cast<long long>(usage.ru_maxrss);
#else
  return static_cast<long long>(usage.ru_maxrss) * 1024;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: %s PENDING OPS RUNS WARMUP SEED [INCREMENTS_FILE]\n", argv[0]);
    return 2;
  }
  const uint64_t pending = std::strtoull(argv[1], nullptr, 10);
  const uint64_t ops = std::strtoull(argv[2], nullptr, 10);
  const int runs = std::atoi(argv[3]);
  const uint64_t warmup = std::strtoull(argv[4], nullptr, 10);
  XorShift32 rng{static_cast<uint32_t>(std::strtoul(argv[5], nullptr, 10))};

  fillIncrements();
  if (argc == 7 && !readIncrements(argv[6])) return 2;
  MinHeap queue;
  uint64_t seq = 0;
  for (uint64_t i = 0; i < pending; i++) queue.push(Event{rng.exp(), seq++});

  double clock = 0;
  auto hold = [&](uint64_t count) {
    for (uint64_t i = 0; i < count; i++) {
      const double now = queue.top().first;
      queue.pop();
      clock = now;
      queue.push(Event{now + rng.exp(), seq++});
    }
  };

  // CPU time of this process, beside the wall clock: on a loaded machine it counts only the time
  // the run had a core.
  auto cpuNs = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
  };
  hold(warmup);
  double bestNs = INFINITY;
  double bestCpuNs = INFINITY;
  for (int r = 0; r < runs; r++) {
    const double c0 = cpuNs();
    const auto t0 = std::chrono::steady_clock::now();
    hold(ops);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = cpuNs();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    if (ns < bestNs) bestNs = ns;
    if (c1 - c0 < bestCpuNs) bestCpuNs = c1 - c0;
  }

  std::printf(
      "{\"pending\":%llu,\"ops\":%llu,\"runs\":%d,\"bestNs\":%.0f,\"eventsPerSec\":%.1f,"
      "\"nsPerEvent\":%.3f,\"cpuEventsPerSec\":%.1f,\"peakRssBytes\":%lld,\"clock\":%.17g,\"size\":%llu}\n",
      static_cast<unsigned long long>(pending), static_cast<unsigned long long>(ops), runs, bestNs,
      ops / (bestNs * 1e-9), bestNs / ops, ops / (bestCpuNs * 1e-9), peakRssBytes(), clock,
      static_cast<unsigned long long>(queue.size()));
  return 0;
}
