// Per-environment state: one per Node environment (main thread or worker) that loads the addon.
// Everything the native side keeps lives here, reached through N-API instance data, so two
// environments never share a handle, a buffer or a JS reference.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <vector>

#include "handle_table.h"
#include "idle_timers.h"
#include "js_call.h"

namespace uvhttp {

class HttpStream;
class Listener;

// The JS functions native calls, registered once by lib/ at load (DESIGN: "register callbacks
// once"); no closure per connection or request.
struct JsCallbacks {
  Napi::FunctionReference on_connection;     // (listenerId, connectionId)
  Napi::FunctionReference on_connect;        // (connectionId, status): a client connection is made or failed
  Napi::FunctionReference on_head;           // (streamId, method | status, url | reason, major, minor, flags, ...fields) -> HeadAnswer
  Napi::FunctionReference on_upgrade;        // (connectionId, Buffer of the bytes after the head)
  Napi::FunctionReference on_body;           // (connectionId, Buffer)
  Napi::FunctionReference on_message_end;    // (connectionId, trailers | undefined)
  Napi::FunctionReference on_parse_error;    // (connectionId, code, reason, bytesParsed, rawPacket, status)
  Napi::FunctionReference on_end;            // (connectionId): the peer ended its side
  Napi::FunctionReference on_drain;          // (connectionId): the write queue emptied
  Napi::FunctionReference on_close;          // (connectionId, errno, bytesRead): the handle is closed
  Napi::FunctionReference on_timeout;        // (connectionId): idle for the time JS asked for
  Napi::FunctionReference on_data;           // (connectionId, Buffer): a read's raw bytes, when JS asked for them
};

class Environment {
 public:
  static constexpr size_t kReadBufferSize = 64 * 1024;

  Environment(Napi::Env env, uv_loop_t* loop);

  // The instance-data finalizer: drops every JS reference while the N-API environment is still
  // alive. The object itself lives on until its last libuv handle has closed.
  static void Release(Napi::Env env, Environment* environment);

  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  Napi::Env env() const { return env_; }
  uv_loop_t* loop() const { return loop_; }
  bool tearing_down() const { return tearing_down_; }
  // False once the environment is ending or JS was found unable to run (a terminating Worker,
  // process.exit() from a handler): from then on no call into JS is attempted.
  bool can_call_js() const { return !tearing_down_ && !js_stopped_; }

  JsCallbacks& callbacks() { return callbacks_; }
  // Native connections and JS-fed streams share one id space (the router in lib/ maps ids to
  // their owners whatever they are).
  HandleTable<HttpStream>& streams() { return streams_; }
  HandleTable<Listener>& listeners() { return listeners_; }

  // The one read buffer all connections of this environment share: a read is parsed before the
  // next one starts, and whatever must outlive the read is copied out of it.
  char* read_buffer() { return read_buffer_.data(); }

  // Argument storage for calls into JS: reused, so a call allocates nothing. V8 copies the
  // arguments when the call starts, so a nested use cannot disturb a call already made.
  std::vector<napi_value>& scratch_arguments() { return scratch_arguments_; }

  enum class CallResult : uint8_t {
    kOk,
    // The handler the call was made for threw (JS said so with handlerThrew() on its way out);
    // the exception went to 'uncaughtException' and the process lives on. An exception from a
    // tick or microtask run after the handler returned is reported the same way but is kOk:
    // on Node it does not reach the parser either.
    kThrew,
    // JS could not run (see can_call_js): nothing ran.
    kUnavailable,
  };

  // Calls a registered JS function as Node calls its own event handlers from libuv callbacks
  // (MakeCallback): in `resource`'s async context and in a callback scope of its own, so the
  // ticks and microtasks the handler queued run when it returns, as they do after Node's own
  // socket reads. The caller holds a handle scope. An exception is reported the way Node
  // reports one thrown by an event handler, as 'uncaughtException'.
  CallResult Call(const AsyncResource& resource, const Napi::FunctionReference& function,
                  const JsArguments& args, napi_value* result = nullptr);
  // The same inside a callback scope the caller opened (RunIn, CallbackScope): no scope of its own.
  CallResult CallInScope(const Napi::FunctionReference& function, const JsArguments& args,
                         napi_value* result = nullptr);

  // Runs `steps` (native code that creates async resources and calls JS) in `resource`'s async
  // context as a call from MakeCallback runs: napi_make_callback into a native function, with one
  // before/after pair and the ticks run at the end, as Node's own onconnection has. Unlike a
  // CallbackScope this also enters the AsyncContextFrame the resource was made in, on the Node
  // lines whose AsyncLocalStorage runs on one (24 and later): the resources made in the steps
  // inherit its stores, and a store entered with enterWith() by the JS called ends with the
  // steps. On the lines before, both enter the same: the resource's id and its stores. Nothing
  // runs if JS cannot.
  template <typename Steps>
  void RunIn(const AsyncResource& resource, Steps& steps) {
    RunIn(resource, [](void* data) { (*static_cast<Steps*>(data))(); }, &steps);
  }
  void RunIn(const AsyncResource& resource, void (*steps)(void*), void* data);

  void MarkHandlerThrew() { handler_threw_ = true; }

  // Called by a handle's close callback so teardown knows when the last one is gone.
  void HandleOpened() { ++open_handles_; }
  void HandleClosed();

  // Sockets' idle timeouts (socket.setTimeout, the keep-alive timeout), to the millisecond.
  IdleTimers& idle_timers() { return idle_timers_; }

  // headersTimeout and requestTimeout are checked periodically, as Node's checkConnections is
  // every connectionsCheckingInterval: the period is the shortest any server asked for.
  void CheckRequestsEvery(uint64_t milliseconds);

 private:
  CallResult Outcome(napi_status status);
  static void OnAsyncCleanup(napi_async_cleanup_hook_handle handle, void* data);
  static void OnSweep(uv_timer_t* timer);
  static Napi::Value RunPendingSteps(const Napi::CallbackInfo& info);
  void MaybeFinishTeardown();
  ~Environment() = default;

  Napi::Env env_;
  uv_loop_t* loop_;
  bool tearing_down_ = false;
  bool js_stopped_ = false;
  bool handler_threw_ = false;
  bool released_ = false;
  JsCallbacks callbacks_;
  // The native function RunIn calls through napi_make_callback, made once, and the steps it
  // runs next (set by RunIn for the one call).
  Napi::FunctionReference run_steps_;
  struct PendingSteps {
    void (*run)(void*) = nullptr;
    void* data = nullptr;
  } pending_steps_;
  HandleTable<HttpStream> streams_;
  HandleTable<Listener> listeners_;
  std::vector<char> read_buffer_;
  std::vector<napi_value> scratch_arguments_;
  napi_async_cleanup_hook_handle cleanup_handle_ = nullptr;
  IdleTimers idle_timers_{this};
  uv_timer_t sweep_timer_;
  uint64_t sweep_interval_ = 0;
  bool sweep_timer_started_ = false;
  bool sweep_timer_closed_ = false;
  size_t open_handles_ = 0;
};

// A callback scope opened by native code around several steps that must run in one async id
// (a client connection's read goes to its parser, then to its 'data' listeners, with one
// before/after pair and the ticks after both). It does not enter the resource's
// AsyncContextFrame (see RunIn): the JS calls inside make their own (Call).
class CallbackScope {
 public:
  CallbackScope(Environment* environment, const AsyncResource& resource);
  ~CallbackScope();
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  napi_env env_;
  napi_callback_scope scope_ = nullptr;
};

}  // namespace uvhttp
