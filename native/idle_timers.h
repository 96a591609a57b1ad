// Idle timeouts with the precision of Node's timers for any number of connections, from one
// libuv timer armed for the earliest deadline (DESIGN: no timer re-armed on every read and
// write). A connection's activity only moves its deadline later, which costs a store: a due
// entry whose connection was active since is put back with the new deadline when it comes up,
// so each connection costs one heap operation per timeout period, not one per request.
#pragma once

#include <uv.h>

#include <cstdint>
#include <vector>

namespace uvhttp {

class Environment;

class IdleTimers {
 public:
  explicit IdleTimers(Environment* environment) : environment_(environment) {}
  IdleTimers(const IdleTimers&) = delete;
  IdleTimers& operator=(const IdleTimers&) = delete;

  // The stream `id` wants to be asked at `deadline` (loop time in ms) whether it timed out
  // (HttpStream::OnIdleDue).
  void Schedule(uint64_t id, uint64_t deadline);
  // Teardown: the timer closes (Environment counts it as an open handle).
  void Close();

 private:
  struct Entry {
    uint64_t deadline;
    uint64_t id;
  };
  static void OnTimer(uv_timer_t* timer);
  void Arm();

  Environment* environment_;
  uv_timer_t timer_;
  bool initialized_ = false;
  bool closed_ = false;
  uint64_t armed_for_ = 0;
  std::vector<Entry> heap_;  // a min-heap by deadline
};

}  // namespace uvhttp
