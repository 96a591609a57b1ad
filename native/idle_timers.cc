#include "idle_timers.h"

#include <algorithm>

#include "environment.h"
#include "http_stream.h"

namespace uvhttp {

namespace {
bool Later(const uint64_t a, const uint64_t b) { return a > b; }
}  // namespace

void IdleTimers::Schedule(uint64_t id, uint64_t deadline) {
  if (closed_ || environment_->tearing_down()) return;
  if (!initialized_) {
    initialized_ = true;
    uv_timer_init(environment_->loop(), &timer_);
    timer_.data = this;
    environment_->HandleOpened();
    // Timeouts alone must not keep the process alive: connections and listeners do that.
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer_));
  }
  heap_.push_back(Entry{deadline, id});
  std::push_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return Later(a.deadline, b.deadline); });
  if (armed_for_ == 0 || deadline < armed_for_) Arm();
}

void IdleTimers::Arm() {
  if (heap_.empty()) {
    armed_for_ = 0;
    uv_timer_stop(&timer_);
    return;
  }
  const uint64_t deadline = heap_.front().deadline;
  const uint64_t now = uv_now(environment_->loop());
  armed_for_ = deadline;
  uv_timer_start(&timer_, OnTimer, deadline > now ? deadline - now : 0, 0);
}

void IdleTimers::OnTimer(uv_timer_t* timer) {
  IdleTimers* self = static_cast<IdleTimers*>(timer->data);
  Environment* environment = self->environment_;
  self->armed_for_ = 0;
  if (environment->tearing_down()) return;
  const uint64_t now = uv_now(environment->loop());
  // Take every due entry first: a stream asked now may schedule itself again (for a later
  // deadline), and a 'timeout' handler may close other streams (looked up by id).
  std::vector<Entry> due;
  auto later = [](const Entry& a, const Entry& b) { return Later(a.deadline, b.deadline); };
  while (!self->heap_.empty() && self->heap_.front().deadline <= now) {
    std::pop_heap(self->heap_.begin(), self->heap_.end(), later);
    due.push_back(self->heap_.back());
    self->heap_.pop_back();
  }
  for (const Entry& entry : due) {
    HttpStream* stream = environment->streams().Get(entry.id);
    if (stream != nullptr) stream->OnIdleDue(entry.deadline, now);
  }
  if (!self->closed_ && self->armed_for_ == 0) self->Arm();
}

void IdleTimers::Close() {
  if (!initialized_ || closed_) return;
  closed_ = true;
  heap_.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
    static_cast<IdleTimers*>(handle->data)->environment_->HandleClosed();
  });
}

}  // namespace uvhttp
