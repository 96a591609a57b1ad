// Per-environment state: one per Node environment (main thread or worker) that loads the addon.
// Everything the native side keeps lives here, reached through N-API instance data, so two
// environments never share a handle, a buffer or a JS reference.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "handle_table.h"

namespace uvhttp {

class Connection;
class Listener;

// The JS functions native calls, registered once by lib/ at load (DESIGN: "register callbacks
// once"); no closure per connection or request.
struct JsCallbacks {
  Napi::FunctionReference on_connection;     // (listenerId, connectionId)
  Napi::FunctionReference on_head;           // (connectionId, method, url, major, minor, flags, ...fields) -> hand off?
  Napi::FunctionReference on_upgrade;        // (connectionId, Buffer of the bytes after the head)
  Napi::FunctionReference on_body;           // (connectionId, Buffer)
  Napi::FunctionReference on_message_end;    // (connectionId, trailers | undefined)
  Napi::FunctionReference on_parse_error;    // (connectionId, code, reason, bytesParsed, rawPacket, status)
  Napi::FunctionReference on_end;            // (connectionId): the peer ended its side
  Napi::FunctionReference on_drain;          // (connectionId): the write queue emptied
  Napi::FunctionReference on_close;          // (connectionId, errno): the handle is closed
  Napi::FunctionReference on_timeout;        // (connectionId): idle for the time JS asked for
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

  JsCallbacks& callbacks() { return callbacks_; }
  HandleTable<Connection>& connections() { return connections_; }
  HandleTable<Listener>& listeners() { return listeners_; }

  // The one read buffer all connections of this environment share: a read is parsed before the
  // next one starts, and whatever must outlive the read is copied out of it.
  char* read_buffer() { return read_buffer_.data(); }

  // Argument storage for calls into JS whose argument count varies (a message head): reused, so
  // a call allocates nothing. V8 copies the arguments when the call starts, so a nested use
  // cannot disturb a call already made.
  std::vector<napi_value>& scratch_arguments() { return scratch_arguments_; }

  // Calls a registered JS function as Node calls its own event handlers from libuv callbacks
  // (MakeCallback): in an async callback scope, so the ticks and microtasks the handler queued
  // run when it returns, as they do after Node's own socket reads. The caller holds a
  // Napi::HandleScope. An exception the function throws is reported the way Node reports one
  // thrown by an event handler, as 'uncaughtException', and the result is then nullptr.
  napi_value MakeCallback(const Napi::FunctionReference& function, size_t argc,
                          const napi_value* argv);
  napi_value MakeCallback(const Napi::FunctionReference& function,
                          std::initializer_list<napi_value> args) {
    return MakeCallback(function, args.size(), args.begin());
  }

  // Called by a handle's close callback so teardown knows when the last one is gone.
  void HandleOpened() { ++open_handles_; }
  void HandleClosed();

  // Starts the sweep timer that enforces idle timeouts (one timer per environment, not one per
  // connection). Idempotent.
  void EnsureSweepTimer();

 private:
  static void OnAsyncCleanup(napi_async_cleanup_hook_handle handle, void* data);
  static void OnSweep(uv_timer_t* timer);
  void MaybeFinishTeardown();
  ~Environment() = default;

  Napi::Env env_;
  uv_loop_t* loop_;
  bool tearing_down_ = false;
  bool released_ = false;
  JsCallbacks callbacks_;
  HandleTable<Connection> connections_;
  HandleTable<Listener> listeners_;
  std::vector<char> read_buffer_;
  std::vector<napi_value> scratch_arguments_;
  Napi::ObjectReference async_resource_;
  napi_async_context async_context_ = nullptr;
  napi_async_cleanup_hook_handle cleanup_handle_ = nullptr;
  uv_timer_t sweep_timer_;
  bool sweep_timer_started_ = false;
  bool sweep_timer_closed_ = false;
  size_t open_handles_ = 0;
};

}  // namespace uvhttp
