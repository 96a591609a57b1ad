// One accepted connection: reads into the environment's shared buffer, drives the parser,
// calls into JS once per message head (plus body chunks and message end), writes what JS queues
// as gathered writes, and keeps the clocks of its timeouts.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>

#include "environment.h"
#include "js_call.h"
#include "parser/http_parser.h"
#include "server_settings.h"
#include "stream_handle.h"
#include "writer.h"

namespace uvhttp {

// on_head(id, method, url, major, minor, flags, ...[name, value] pairs); a common name comes as
// its index in the fieldNames list (field_names.h)
constexpr size_t kHeadFixedArguments = 6;

// Bits of the `flags` argument of on_head.
enum HeadFlags : uint32_t {
  kHeadKeepAlive = 1 << 0,
  kHeadUpgrade = 1 << 1,
  kHeadChunked = 1 << 2,
  // The message has no body: on_message_end will not follow for it.
  kHeadComplete = 1 << 3,
};

class Connection final : public HttpParser::Handler {
 public:
  // Accepts the pending connection on `server`; nullptr if accept failed.
  static Connection* Accept(Environment* environment, uv_stream_t* server,
                            std::shared_ptr<ServerSettings> settings);
  // Takes over a connection accepted by someone else (the cluster primary hands each one to a
  // worker as a Node handle): opens a duplicate of `fd`, a connected TCP or local socket, and
  // starts it as an accepted one; the handle that owns `fd` is closed by its owner. nullptr, and
  // a libuv error in *error, if the descriptor cannot be used.
  static Connection* Adopt(Environment* environment, uv_os_sock_t fd,
                           std::shared_ptr<ServerSettings> settings, int* error);

  uint64_t id() const { return id_; }
  bool closing() const { return closing_; }
  StreamHandle& handle() { return handle_; }
  const AsyncResource& socket_resource() const { return socket_async_; }

  // Creates the connection's async resources as Node has them: a socket resource ("TCPWRAP")
  // triggered by the context running now (its listener's), and the HTTP parser's
  // ("HTTPINCOMINGMESSAGE") triggered by the socket. Handlers run in the parser's, so
  // executionAsyncId() and AsyncLocalStorage see one context per connection.
  void InitAsync();

  // JS queues bytes here, then calls Flush. While a read is being dispatched the flush waits
  // until every message of that read has been handled, so pipelined answers share a write.
  OutputQueue& output() { return output_; }
  size_t queued_output() const { return output_.queued(&handle_.stream); }
  // JS wrote: writing is activity, as on Node (net.Socket refreshes its timer on each write).
  void Touch() { last_active_ = uv_now(environment_->loop()); }
  void Flush();
  // JS found the queue over its high-water mark: tell it (on_drain) once the queue is empty.
  void WatchDrain() { want_drain_ = true; }

  void Pause();   // JS stops reading (back-pressure); the bytes of the current read are still parsed
  void Resume();
  // Sends what is queued, then shuts down the write side and closes.
  void End();
  // Closes now; queued bytes are dropped.
  void Destroy();
  // For the 'upgrade' and 'connect' hand-offs: once every queued byte is sent, returns a
  // duplicate of the descriptor and closes the handle. UV_EAGAIN while output is still leaving
  // (JS waits for on_drain and asks again); any other error closes the connection.
  int Detach();
  // Idle time after which JS is told (0: never). Checked by the environment's sweep.
  void SetTimeout(uint64_t milliseconds);
  // JS wrote the last byte of a response.
  void ResponseEnded();
  void CheckTimeout(uint64_t now);

  // HttpParser::Handler
  HeadAction OnHead(const MessageHead& head) override;
  void OnBody(const char* data, size_t len) override;
  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override;

 private:
  Connection(Environment* environment, std::shared_ptr<ServerSettings> settings);
  ~Connection() = default;

  // What every connection does once its handle is open: socket options, clocks, reading.
  void Start();
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWriteDone(void* owner, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnClosed(uv_handle_t* handle);

  void Parse(const char* data, size_t len);
  // Input held back while output drains (see Parse), parsed once the queue is short again.
  void ParseBacklog();
  // `parsed` is what the parser consumed of this read before the error: Node's bytesParsed.
  void ReportParseError(const char* data, size_t len);
  // A handler threw while the parser was delivering a message (see OnHead).
  void ReportCallbackError(const char* data, size_t len);
  void ReportError(const char* code, const char* reason, uint64_t bytes_parsed,
                   const char* raw_packet, size_t raw_length, bool has_packet, uint16_t status);
  void HandOff(const char* rest, size_t len);
  void HandlerThrew(const char* code, const char* reason);
  void OnEof();
  void AfterWrite();
  void MaybeShutdown();
  void Close(int error);
  void UpdateReading();
  void Notify(const AsyncResource& resource, const Napi::FunctionReference& callback);
  Environment::CallResult CallWithId(const AsyncResource& resource,
                                     const Napi::FunctionReference& callback, JsArguments& args,
                                     napi_value* result = nullptr);

  Environment* environment_;
  StreamHandle handle_;
  uint64_t id_ = 0;
  std::shared_ptr<ServerSettings> settings_;
  HttpParser parser_;
  OutputQueue output_;
  AsyncResource socket_async_;
  AsyncResource parser_async_;
  uv_shutdown_t shutdown_request_;
  ByteBuffer backlog_;
  // The socket's idle timeout, and when anything last moved (a read, a write from JS, or bytes
  // of queued output taken by the peer).
  uint64_t timeout_ = 0;
  uint64_t last_active_ = 0;
  size_t queued_at_last_check_ = 0;
  // Requests whose responses have not ended.
  uint32_t responses_pending_ = 0;
  // When the message now arriving started (its first byte, padding included, or the accept),
  // and how far it has come: Node's headersTimeout and requestTimeout run from there.
  uint64_t message_started_ = 0;
  bool receiving_message_ = false;
  bool head_received_ = false;
  uint32_t messages_completed_ = 0;
  // A handler threw while the parser was delivering a message: no further input is parsed, and
  // the error is reported (as Node's 'clientError') when the next bytes are there.
  const char* callback_error_code_ = nullptr;
  const char* callback_error_reason_ = nullptr;
  uint64_t callback_error_offset_ = 0;
  int close_error_ = 0;
  bool reading_ = false;
  bool paused_by_js_ = false;
  // Output is over the high-water mark: input waits (Node's needDrain pause in parserOnIncoming).
  bool paused_for_output_ = false;
  // No further input will be parsed: a parse error, a hand-off, or JS unable to run.
  bool stopped_ = false;
  bool handing_off_ = false;
  bool dispatching_ = false;
  bool want_drain_ = false;
  bool ending_ = false;
  bool shutting_down_ = false;
  bool closing_ = false;
  bool message_end_reported_ = false;
};

}  // namespace uvhttp
