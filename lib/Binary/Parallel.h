//===- Parallel.h - Spreading per-node work over two threads ----*- C++ -*-===//
//
// Reading a large binary converts and verifies hundreds of nodes, each on
// its own: r3d_18 has 2.2M instructions, and doing them on two threads
// halves the time before simulation starts on a two-core host.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_BINARY_PARALLEL_H
#define DOJO_LIB_BINARY_PARALLEL_H

#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>

namespace dojo::bin::detail {

/// Calls `f(i)` for every i in [0, n), on this thread and (when the host has
/// more than one hardware thread and n > 1) one more. If a call throws (out
/// of memory), the remaining indices are skipped and the exception is
/// rethrown here once both threads have stopped.
template <typename F> void parallelFor(size_t n, const F &f) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto loop = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;)
        f(i);
    } catch (...) {
      // The first failure wins; the other thread's loop then ends.
      if (!failed.exchange(true))
        failure = std::current_exception();
      next.store(n);
    }
  };
  {
    std::jthread helper;
    if (n > 1 && std::thread::hardware_concurrency() > 1)
      helper = std::jthread(loop);
    loop();
  }
  if (failure)
    std::rethrow_exception(failure);
}

} // namespace dojo::bin::detail

#endif // DOJO_LIB_BINARY_PARALLEL_H
