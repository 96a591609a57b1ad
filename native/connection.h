// The transport of one native connection, accepted (a server's) or connected (a client's): reads
// into the environment's shared buffer and hands them to the HTTP stream it is, writes what JS
// queues as gathered writes, keeps its activity clock and timeouts, and closes once.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "http_stream.h"
#include "stream_handle.h"
#include "writer.h"

namespace uvhttp {

class Connection final : public HttpStream {
 public:
  // Accepts the pending connection on `server`; nullptr if accept failed. The caller creates
  // its async resources (InitAsync) in the listener's context.
  static Connection* Accept(Environment* environment, uv_stream_t* server,
                            std::shared_ptr<StreamSettings> settings);
  // Takes over a connection accepted by someone else (the cluster primary hands each one to a
  // worker as a Node handle): opens a duplicate of `fd`, a connected TCP or local socket, and
  // starts it as an accepted one; the handle that owns `fd` is closed by its owner. nullptr, and
  // a libuv error in *error, if the descriptor cannot be used.
  static Connection* Adopt(Environment* environment, uv_os_sock_t fd,
                           std::shared_ptr<StreamSettings> settings, int* error);
  // Starts connecting to `address` (TCP; bound first to `local` when given) or to the local
  // socket at `path`. on_connect(id, status) follows. Called from JS: the async resources are
  // children of the caller's context. Returns nullptr and a libuv error on immediate failure.
  static Connection* Connect(Environment* environment, std::shared_ptr<StreamSettings> settings,
                             const sockaddr* address, const sockaddr* local, int* error,
                             const char** syscall);
  static Connection* ConnectLocal(Environment* environment, std::shared_ptr<StreamSettings> settings,
                                  const std::string& path);

  Connection* AsConnection() override { return this; }
  bool closing() const { return closing_; }
  StreamHandle& handle() { return handle_; }

  // Creates the connection's async resources as Node has them: a socket resource ("TCPWRAP")
  // triggered by the context running now, and the parser's triggered by the socket.
  void InitAsync();
  // New async resources in the context running now (a client connection given to another
  // request): the parser's always, as Node makes a parser per request; the socket's too when
  // `socket` (the agent's asyncReset of a reused socket).
  void ResetAsync(bool socket);

  // JS queues bytes here, then calls Flush. While a read is being dispatched the flush waits
  // until every message of that read has been handled, so pipelined answers share a write.
  OutputQueue& output() { return output_; }
  size_t queued_output() const { return output_.queued(&handle_.stream); }
  // JS wrote: writing is activity, as on Node (net.Socket refreshes its timer on each write).
  void Touch() { last_active_ = uv_now(environment_->loop()); }
  uint64_t bytes_read() const { return bytes_read_; }
  void Flush();
  // JS found the queue over its high-water mark: tell it (on_drain) once the queue is empty.
  void WatchDrain() { want_drain_ = true; }

  void Pause();   // JS stops reading (back-pressure); the bytes of the current read are still parsed
  void Resume();
  // Sends what is queued, then shuts down the write side and closes.
  void End();
  // Closes now; queued bytes are dropped (what the current read's handlers wrote is offered to
  // the kernel first).
  void Destroy() override;
  // For the 'upgrade' and 'connect' hand-offs: once every queued byte is sent, returns a
  // duplicate of the descriptor and closes the handle. UV_EAGAIN while output is still leaving
  // (JS waits for on_drain and asks again); any other error closes the connection.
  int Detach();
  // Whether bytes wait in the kernel's receive queue that no read has taken yet (the peer's end
  // alone does not count), as Node's handle.hasPendingRead().
  bool HasPendingRead();
  // Each read's bytes also go to JS (on_data), after the parser had them: Node's client sockets
  // emit 'data' to whoever listens besides the parser.
  void SetRawReads(bool on) { raw_reads_ = on; }
  // Idle time after which JS is told (0: never), to the millisecond (IdleTimers).
  void SetTimeout(uint64_t milliseconds);
  // JS wrote the last byte of a response (servers).
  void ResponseEnded();
  void OnIdleDue(uint64_t due, uint64_t now) override;

 private:
  Connection(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings);
  ~Connection() override = default;

  static Connection* Create(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings,
                            bool local);
  // What every accepted or adopted connection does once its handle is open: socket options,
  // clocks, reading.
  void Start();
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnConnect(uv_connect_t* req, int status);
  static void OnWriteDone(void* owner, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnClosed(uv_handle_t* handle);

  // HttpStream
  size_t QueuedOutput() const override { return queued_output(); }
  void StopInput() override { UpdateReading(); }
  uint64_t LastActive() const override { return last_active_; }
  void OnMessageReceived() override { ScheduleIdle(); }

  void Parse(const char* data, size_t len);
  // Input held back while output drains (see Parse), parsed once the queue is short again.
  void ParseBacklog();
  void AfterWrite();
  void MaybeShutdown();
  void Close(int error);
  void UpdateReading();
  // The idle time that applies now (the socket's own, or the keep-alive timeout), 0 for none.
  uint64_t IdleTimeout() const;
  // Asks the idle timers to look at this connection when it would time out.
  void ScheduleIdle();

  StreamHandle handle_;
  OutputQueue output_;
  AsyncResource socket_async_;
  // A client connects before it can ever shut down: the two requests share their storage.
  union {
    uv_connect_t connect_request_;
    uv_shutdown_t shutdown_request_;
  };
  ByteBuffer backlog_;
  // The socket's idle timeout, and when anything last moved (a read, a write from JS, or bytes
  // of queued output taken by the peer).
  uint64_t timeout_ = 0;
  uint64_t last_active_ = 0;
  // Bytes read from the socket (net.Socket's bytesRead).
  uint64_t bytes_read_ = 0;
  size_t queued_at_last_check_ = 0;
  // The deadline the idle timers will ask about (0: none scheduled).
  uint64_t idle_due_ = 0;
  int close_error_ = 0;
  bool connecting_ = false;
  bool reading_ = false;
  bool paused_by_js_ = false;
  // Output is over the high-water mark: input waits (Node's needDrain pause in parserOnIncoming).
  bool paused_for_output_ = false;
  bool dispatching_ = false;
  bool want_drain_ = false;
  bool raw_reads_ = false;
  bool ending_ = false;
  bool shutting_down_ = false;
};

}  // namespace uvhttp
