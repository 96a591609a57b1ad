// One accepted TCP connection: reads into the environment's shared buffer, drives the parser,
// calls into JS once per message head (plus body chunks and message end), and writes what JS
// queues as gathered writes.
#pragma once

#include <uv.h>

#include <cstdint>

#include "environment.h"
#include "parser/http_parser.h"
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
                            const ParserLimits& limits);

  uint64_t id() const { return id_; }
  bool closing() const { return closing_; }
  StreamHandle& handle() { return handle_; }

  // JS queues bytes here, then calls Flush. While a read is being dispatched the flush waits
  // until every message of that read has been handled, so pipelined answers share a write.
  ByteBuffer& pending_output() { return output_.pending(); }
  size_t queued_output() const { return output_.queued(); }
  void Flush();
  // JS found the queue over its high-water mark: tell it (on_drain) once the queue is empty.
  void WatchDrain() { want_drain_ = true; }

  void Pause();   // stop reading (back-pressure); the bytes of the current read are still parsed
  void Resume();
  // Sends what is queued, then shuts down the write side and closes.
  void End();
  // Closes now; queued bytes are dropped.
  void Destroy();
  // For the 'upgrade' and 'connect' hand-offs: sends what can be sent of the queued bytes,
  // returns a duplicate of the descriptor (or a negative libuv error) and closes the handle.
  int Detach();
  // Idle time after which JS is told (0: never). Checked by the environment's sweep.
  void SetTimeout(uint64_t milliseconds);
  // Node's headersTimeout and requestTimeout: the time a client may take to send a whole head,
  // and a whole message, from its first byte (0: no limit).
  void SetRequestTimeouts(uint64_t headers_ms, uint64_t request_ms);
  // The idle time allowed between a finished response and the next request (Node arms
  // keepAliveTimeout plus a second on the socket then, and restores the socket's own timeout
  // when the next request starts). Kept here so that neither step costs a call from JS.
  void SetKeepAliveTimeout(uint64_t milliseconds);
  // JS wrote the last byte of a response.
  void ResponseEnded();
  void CheckTimeout(uint64_t now);

  // HttpParser::Handler
  HeadAction OnHead(const MessageHead& head) override;
  void OnBody(const char* data, size_t len) override;
  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override;

 private:
  Connection(Environment* environment, const ParserLimits& limits);
  ~Connection() = default;

  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWriteDone(void* owner, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnClosed(uv_handle_t* handle);

  void Parse(const char* data, size_t len);
  // `parsed` is what the parser consumed of this read before the error: Node's bytesParsed.
  void ReportParseError(const char* data, size_t len, size_t parsed);
  void ReportError(const char* code, const char* reason, uint64_t bytes_parsed, napi_value raw_packet,
                   uint16_t status);
  void OnEof();
  void AfterWrite();
  void MaybeShutdown();
  void Close(int error);
  void Touch() { last_active_ = uv_now(environment_->loop()); }

  Environment* environment_;
  StreamHandle handle_;
  uint64_t id_ = 0;
  HttpParser parser_;
  OutputQueue output_;
  uv_shutdown_t shutdown_request_;
  uint64_t timeout_ = 0;
  uint64_t last_active_ = 0;
  uint64_t headers_timeout_ = 0;
  uint64_t request_timeout_ = 0;
  uint64_t keep_alive_timeout_ = 0;
  // Requests whose responses have not ended, and whether one ever has.
  uint32_t responses_pending_ = 0;
  bool served_ = false;
  // When the message now arriving started, and how far it has come.
  uint64_t message_started_ = 0;
  bool receiving_message_ = false;
  bool head_received_ = false;
  int close_error_ = 0;
  bool reading_ = false;
  bool paused_ = false;
  bool dispatching_ = false;
  bool want_drain_ = false;
  bool ending_ = false;
  bool shutting_down_ = false;
  bool closing_ = false;
  bool message_end_reported_ = false;
};

}  // namespace uvhttp
