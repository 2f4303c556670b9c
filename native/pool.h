// The addon's fixed worker pool and per-call scratch memory (pool.cc). Declarations only: the
// GEMM translation units compiled for different instruction sets include this header, and every
// function here is defined once, out of line, in pool.cc (compiled for the baseline AVX2 target).
#pragma once

#define PT_MAX_THREADS 64

/** A reusable barrier for `n` threads: spins briefly, then sleeps on a futex (C++20 atomic wait). */
struct Barrier {
  explicit Barrier(int n);
  void wait();
  int n;
  alignas(64) int count;
  alignas(64) int phase;
};

/** Pool size: POLYTASK_THREADS when set (≥ 1), else the number of cores. */
int ptPoolSize();
/** Grow the pool to at least n threads (threads start lazily, on the first call that needs them). */
void ptSetPoolSize(int n);

/**
 * Reserve up to `wanted` threads (the caller counts as one) for one parallel call. Returns how many
 * were granted: 1 when the pool is busy with a call from another JavaScript thread (Node workers
 * share the addon), or wanted ≤ 1. A result > 1 must be followed by ptParallel and ptRelease.
 */
int ptAcquire(int wanted);
void ptRelease();
/** Run fn(ctx, t) for t = 0..n−1: t = 0 on the caller, the rest on pool threads; returns when all are done. */
void ptParallel(int n, void (*fn)(void*, int), void* ctx);
/**
 * Scratch memory of the calling thread, 64-byte aligned, grown on demand and kept (slot 0: packed
 * B, 1 + t: packed A of thread t). Per calling thread, so two JavaScript threads never share it.
 */
void* ptWorkspace(int slot, long bytes);
