// Worker pool: pool threads sleep on a generation counter (futex via C++20 std::atomic::wait), the
// calling thread runs share 0 itself, so a call never waits for work that nobody has started.
// Spins before sleeping are short (2000–4000 `pause`, ~0.1–0.2 ms on this CPU, where pause takes
// ~140 cycles): long enough for a partner that is running, short enough not to burn a core that
// other processes want when the partner has been descheduled (20000 cost ~2–14 % extra CPU time
// on a loaded machine).
#include "pool.h"
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

std::atomic_ref<int> aref(int& x) { return std::atomic_ref<int>(x); }

struct Pool {
  std::mutex busy;              // held by the JavaScript thread that owns the pool for one call
  std::vector<std::thread> threads;
  std::atomic<unsigned> generation{0};
  std::atomic<int> pending{0};
  void (*fn)(void*, int) = nullptr;
  void* ctx = nullptr;
  int parts = 0;
  int size = 0;                 // wanted size (incl. the caller)
};

Pool& pool() {
  static Pool* p = new Pool(); // never destroyed: threads are detached at exit
  return *p;
}

int envThreads() {
  const char* s = std::getenv("POLYTASK_THREADS");
  if (s && *s) {
    int v = std::atoi(s);
    if (v >= 1) return v > PT_MAX_THREADS ? PT_MAX_THREADS : v;
  }
  unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : (h > PT_MAX_THREADS ? PT_MAX_THREADS : (int)h);
}

void workerLoop(int index) {
  Pool& P = pool();
  unsigned seen = 0;
  for (;;) {
    unsigned g = P.generation.load(std::memory_order_acquire);
    if (g == seen) {
      // Spin a little: the next GEMM of a sequence usually follows within microseconds.
      for (int i = 0; i < 4000 && g == seen; i++) {
        __builtin_ia32_pause();
        g = P.generation.load(std::memory_order_acquire);
      }
      if (g == seen) {
        P.generation.wait(seen, std::memory_order_acquire);
        continue;
      }
    }
    seen = g;
    // The generation word carries the part count of its call (low 8 bits), so a thread that wakes
    // late can never read the part count of a later call; fn and ctx are stable while it works,
    // because the caller waits for every part before it starts another call.
    if (index < (int)(g & 0xff)) {
      P.fn(P.ctx, index);
      if (P.pending.fetch_sub(1, std::memory_order_acq_rel) == 1) P.pending.notify_all();
    }
  }
}

void ensureThreads(Pool& P, int n) {
  while ((int)P.threads.size() < n - 1) {
    int index = (int)P.threads.size() + 1;
    P.threads.emplace_back(workerLoop, index);
    P.threads.back().detach();
  }
}

/** Scratch of one calling thread; freed when the thread ends (Node worker threads come and go). */
struct Slot {
  void* p = nullptr;
  long bytes = 0;
  ~Slot() { std::free(p); }
};
thread_local Slot slots[PT_MAX_THREADS + 1];

} // namespace

Barrier::Barrier(int n_) : n(n_), count(0), phase(0) {}

void Barrier::wait() {
  auto ph = aref(phase);
  const int my = ph.load(std::memory_order_acquire);
  if (aref(count).fetch_add(1, std::memory_order_acq_rel) == n - 1) {
    aref(count).store(0, std::memory_order_relaxed);
    ph.store(my + 1, std::memory_order_release);
    ph.notify_all();
    return;
  }
  for (int i = 0; i < 2000; i++) {
    if (ph.load(std::memory_order_acquire) != my) return;
    __builtin_ia32_pause();
  }
  while (ph.load(std::memory_order_acquire) == my) ph.wait(my, std::memory_order_acquire);
}

int ptPoolSize() {
  Pool& P = pool();
  if (P.size == 0) P.size = envThreads();
  return P.size;
}

void ptSetPoolSize(int n) {
  Pool& P = pool();
  std::lock_guard<std::mutex> g(P.busy);
  if (P.size == 0) P.size = envThreads();
  if (n > P.size) P.size = n > PT_MAX_THREADS ? PT_MAX_THREADS : n;
}

int ptAcquire(int wanted) {
  if (wanted <= 1) return 1;
  Pool& P = pool();
  if (!P.busy.try_lock()) return 1;
  int n = wanted < ptPoolSize() ? wanted : ptPoolSize();
  if (n <= 1) {
    P.busy.unlock();
    return 1;
  }
  ensureThreads(P, n);
  return n;
}

void ptRelease() { pool().busy.unlock(); }

void ptParallel(int n, void (*fn)(void*, int), void* ctx) {
  Pool& P = pool();
  P.fn = fn;
  P.ctx = ctx;
  P.parts = n;
  P.pending.store(n - 1, std::memory_order_release);
  const unsigned g = P.generation.load(std::memory_order_relaxed);
  P.generation.store((((g >> 8) + 1) << 8) | (unsigned)n, std::memory_order_release);
  P.generation.notify_all();
  fn(ctx, 0);
  int left;
  for (int i = 0; i < 2000 && (left = P.pending.load(std::memory_order_acquire)) != 0; i++) __builtin_ia32_pause();
  while ((left = P.pending.load(std::memory_order_acquire)) != 0) P.pending.wait(left, std::memory_order_acquire);
}

void* ptWorkspace(int slot, long bytes) {
  Slot& s = slots[slot];
  if (s.bytes < bytes) {
    std::free(s.p);
    long want = bytes + bytes / 4;
    s.p = std::aligned_alloc(64, (want + 63) / 64 * 64);
    if (!s.p) std::abort(); // out of memory: nothing sensible to compute with
    s.bytes = want;
  }
  return s.p;
}
