//===- Profile.cpp - Per-thread CPU time of a run (DOJO_SIM_PROFILE) ------===//
#include "Profile.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace dojo::sim::detail {

double clockSeconds(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double threadCpuSeconds() { return clockSeconds(CLOCK_THREAD_CPUTIME_ID); }

SimProfile::SimProfile() : enabled_(std::getenv("DOJO_SIM_PROFILE") != nullptr) {
  if (!enabled_)
    return;
  wall0_ = clockSeconds(CLOCK_MONOTONIC);
  cpu0_ = threadCpuSeconds();
}

void SimProfile::timingDone() {
  if (!enabled_)
    return;
  timingWall_ = clockSeconds(CLOCK_MONOTONIC) - wall0_;
  timingCpu_ = threadCpuSeconds() - cpu0_;
}

void SimProfile::report(const ReplayState *replay,
                        int64_t gathersSaved) const {
  if (!enabled_)
    return;
  const double wall = clockSeconds(CLOCK_MONOTONIC) - wall0_;
  std::fprintf(stderr,
               "dojo-sim profile: simulate %.3f s wall; timing side %.3f s "
               "CPU over %.3f s wall",
               wall, timingCpu_, timingWall_);
  if (replay) {
    for (size_t w = 0; w < replay->workerCpu.size(); ++w)
      std::fprintf(stderr, "; worker %zu %.3f s CPU", w, replay->workerCpu[w]);
    std::fprintf(stderr, "; log %lld entries", static_cast<long long>(replay->size));
  }
  std::fprintf(stderr, "; %lld gathers saved\n",
               static_cast<long long>(gathersSaved));
}

} // namespace dojo::sim::detail

namespace dojo::sim {

void profileMark(const char *phase) {
  static const bool enabled = std::getenv("DOJO_SIM_PROFILE") != nullptr;
  static const double start = detail::clockSeconds(CLOCK_MONOTONIC);
  if (enabled)
    std::fprintf(stderr, "dojo-sim profile: %s done at %.3f s\n", phase,
                 detail::clockSeconds(CLOCK_MONOTONIC) - start);
}

} // namespace dojo::sim
