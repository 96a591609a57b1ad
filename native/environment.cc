#include "environment.h"

#include <utility>

#include "http_stream.h"
#include "listener.h"

namespace uvhttp {

Environment::Environment(Napi::Env env, uv_loop_t* loop)
    : env_(env), loop_(loop), read_buffer_(kReadBufferSize) {
  napi_add_async_cleanup_hook(env, OnAsyncCleanup, this, &cleanup_handle_);
  run_steps_ = Napi::Persistent(Napi::Function::New(env, RunPendingSteps, "uvhttpRunIn", this));
}

void Environment::Release(Napi::Env env, Environment* self) {
  JsCallbacks& callbacks = self->callbacks_;
  for (Napi::FunctionReference* reference :
       {&callbacks.on_connection, &callbacks.on_connect, &callbacks.on_head, &callbacks.on_upgrade, &callbacks.on_body,
        &callbacks.on_message_end, &callbacks.on_parse_error, &callbacks.on_end,
        &callbacks.on_drain, &callbacks.on_close, &callbacks.on_timeout, &callbacks.on_data}) {
    reference->Reset();
  }
  self->run_steps_.Reset();
  self->released_ = true;
  self->tearing_down_ = true;
  self->MaybeFinishTeardown();
}

Environment::CallResult Environment::Call(const AsyncResource& resource,
                                          const Napi::FunctionReference& function,
                                          const JsArguments& args, napi_value* result) {
  if (!can_call_js() || !args.ok()) return CallResult::kUnavailable;
  napi_value callee = nullptr;
  // The receiver is not the resource (AsyncResource::Init): the global object, as for any plain
  // function call.
  napi_value receiver = nullptr;
  if (napi_get_global(env_, &receiver) != napi_ok ||
      napi_get_reference_value(env_, function, &callee) != napi_ok || callee == nullptr) {
    return CallResult::kUnavailable;
  }
  napi_value ignored;
  return Outcome(napi_make_callback(env_, resource.context(), receiver, callee, args.size(),
                                    args.data(), result != nullptr ? result : &ignored));
}

Environment::CallResult Environment::CallInScope(const Napi::FunctionReference& function,
                                                 const JsArguments& args, napi_value* result) {
  if (!can_call_js() || !args.ok()) return CallResult::kUnavailable;
  napi_value callee = nullptr;
  napi_value receiver = nullptr;
  if (napi_get_reference_value(env_, function, &callee) != napi_ok || callee == nullptr ||
      napi_get_global(env_, &receiver) != napi_ok) {
    return CallResult::kUnavailable;
  }
  napi_value ignored;
  return Outcome(napi_call_function(env_, receiver, callee, args.size(), args.data(),
                                    result != nullptr ? result : &ignored));
}

void Environment::RunIn(const AsyncResource& resource, void (*steps)(void*), void* data) {
  if (!can_call_js()) return;
  napi_value receiver = nullptr;
  napi_value callee = nullptr;
  if (resource.context() == nullptr || napi_get_global(env_, &receiver) != napi_ok ||
      napi_get_reference_value(env_, run_steps_, &callee) != napi_ok || callee == nullptr) {
    return;
  }
  const PendingSteps outer = pending_steps_;
  pending_steps_ = {steps, data};
  napi_value ignored;
  Outcome(napi_make_callback(env_, resource.context(), receiver, callee, 0, nullptr, &ignored));
  pending_steps_ = outer;
}

Napi::Value Environment::RunPendingSteps(const Napi::CallbackInfo& info) {
  Environment* self = static_cast<Environment*>(info.Data());
  // Taken, so that only the call RunIn made runs them (the function is not reachable from JS,
  // but a nested RunIn must not see them either).
  const PendingSteps steps = std::exchange(self->pending_steps_, PendingSteps{});
  if (steps.run != nullptr) steps.run(steps.data);
  return info.Env().Undefined();
}

// A failed call either threw (an exception is pending: report it as Node reports an exception
// thrown by an event handler) or could not run at all: N-API answers napi_pending_exception with
// no exception pending when the environment is terminating (the rule node-addon-api's
// NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS relies on).
Environment::CallResult Environment::Outcome(napi_status status) {
  if (status == napi_ok) return CallResult::kOk;
  bool pending = false;
  if (napi_is_exception_pending(env_, &pending) != napi_ok || !pending) {
    js_stopped_ = true;
    return CallResult::kUnavailable;
  }
  napi_value exception = nullptr;
  if (napi_get_and_clear_last_exception(env_, &exception) != napi_ok ||
      napi_fatal_exception(env_, exception) != napi_ok) {
    js_stopped_ = true;
    return CallResult::kUnavailable;
  }
  if (!handler_threw_) return CallResult::kOk;
  handler_threw_ = false;
  return CallResult::kThrew;
}

CallbackScope::CallbackScope(Environment* environment, const AsyncResource& resource)
    : env_(environment->env()) {
  // N-API takes the resource from the context; the object argument is not used, but must be one.
  napi_value object = nullptr;
  if (!environment->can_call_js() || resource.context() == nullptr ||
      napi_get_global(env_, &object) != napi_ok ||
      napi_open_callback_scope(env_, object, resource.context(), &scope_) != napi_ok) {
    scope_ = nullptr;
  }
}

CallbackScope::~CallbackScope() {
  if (scope_ != nullptr) napi_close_callback_scope(env_, scope_);
}

void Environment::CheckRequestsEvery(uint64_t milliseconds) {
  if (tearing_down_ || milliseconds == 0) return;
  if (sweep_timer_started_ && milliseconds >= sweep_interval_) return;
  if (!sweep_timer_started_) {
    sweep_timer_started_ = true;
    uv_timer_init(loop_, &sweep_timer_);
    HandleOpened();
    sweep_timer_.data = this;
    // The check alone must not keep the process alive: connections and listeners do that.
    uv_unref(reinterpret_cast<uv_handle_t*>(&sweep_timer_));
  }
  sweep_interval_ = milliseconds;
  uv_timer_start(&sweep_timer_, OnSweep, milliseconds, milliseconds);
}

void Environment::OnSweep(uv_timer_t* timer) {
  Environment* self = static_cast<Environment*>(timer->data);
  if (self->tearing_down_) return;
  uint64_t now = uv_now(self->loop_);
  // Ids, not pointers, across the JS calls: an error handler may close other streams.
  std::vector<uint64_t> ids;
  ids.reserve(self->streams_.size());
  self->streams_.ForEach([&](HttpStream* stream) { ids.push_back(stream->id()); });
  for (uint64_t id : ids) {
    HttpStream* stream = self->streams_.Get(id);
    if (stream != nullptr) stream->CheckRequestTimeouts(now);
  }
}

void Environment::HandleClosed() {
  --open_handles_;
  MaybeFinishTeardown();
}

// The environment is going away (process exit or a Worker ending): close every handle, and tell
// Node we are done only once libuv has run every close callback, so the loop closes cleanly.
void Environment::OnAsyncCleanup(napi_async_cleanup_hook_handle handle, void* data) {
  Environment* self = static_cast<Environment*>(data);
  self->tearing_down_ = true;
  std::vector<Listener*> listeners;
  self->listeners_.ForEach([&](Listener* listener) { listeners.push_back(listener); });
  for (Listener* listener : listeners) listener->Close();
  std::vector<HttpStream*> streams;
  self->streams_.ForEach([&](HttpStream* stream) { streams.push_back(stream); });
  for (HttpStream* stream : streams) stream->Destroy();
  self->idle_timers_.Close();
  if (self->sweep_timer_started_ && !self->sweep_timer_closed_) {
    self->sweep_timer_closed_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&self->sweep_timer_), [](uv_handle_t* timer) {
      static_cast<Environment*>(timer->data)->HandleClosed();
    });
  }
  self->MaybeFinishTeardown();
}

void Environment::MaybeFinishTeardown() {
  if (!tearing_down_ || open_handles_ != 0) return;
  if (cleanup_handle_ != nullptr) {
    napi_async_cleanup_hook_handle handle = cleanup_handle_;
    cleanup_handle_ = nullptr;
    napi_remove_async_cleanup_hook(handle);
  }
  if (released_) delete this;
}

}  // namespace uvhttp
