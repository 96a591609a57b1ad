#include "connection.h"

#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "field_names.h"

namespace uvhttp {

Connection::Connection(Environment* environment, std::shared_ptr<ServerSettings> settings)
    : environment_(environment),
      settings_(std::move(settings)),
      parser_(HttpParser::Type::kRequest, this, settings_->limits),
      output_(environment->env(), this, OnWriteDone) {}

Connection* Connection::Accept(Environment* environment, uv_stream_t* server,
                               std::shared_ptr<ServerSettings> settings) {
  Connection* self = new Connection(environment, std::move(settings));
  InitLike(environment->loop(), server, &self->handle_);
  environment->HandleOpened();
  self->handle_.handle.data = self;
  self->id_ = environment->connections().Add(self);
  if (uv_accept(server, &self->handle_.stream) != 0) {
    self->Close(0);
    return nullptr;
  }
  self->Start();
  return self;
}

Connection* Connection::Adopt(Environment* environment, uv_os_sock_t fd,
                              std::shared_ptr<ServerSettings> settings, int* error) {
  const uv_handle_type type = uv_guess_handle(fd);
  if (type != UV_TCP && type != UV_NAMED_PIPE) {
    *error = UV_EINVAL;
    return nullptr;
  }
  const int copy = dup(fd);
  if (copy < 0) {
    *error = uv_translate_sys_error(errno);
    return nullptr;
  }
  Connection* self = new Connection(environment, std::move(settings));
  if (type == UV_NAMED_PIPE) {
    uv_pipe_init(environment->loop(), &self->handle_.pipe, 0);
  } else {
    uv_tcp_init(environment->loop(), &self->handle_.tcp);
  }
  environment->HandleOpened();
  self->handle_.handle.data = self;
  self->id_ = environment->connections().Add(self);
  *error = type == UV_NAMED_PIPE ? uv_pipe_open(&self->handle_.pipe, copy)
                                 : uv_tcp_open(&self->handle_.tcp, copy);
  if (*error != 0) {
    close(copy);
    self->Close(0);
    return nullptr;
  }
  self->Start();
  return self;
}

void Connection::Start() {
  // Node's http.Server sets noDelay by default: a response is not held back by Nagle.
  if (IsTcp(handle_)) uv_tcp_nodelay(&handle_.tcp, 1);
  Touch();
  // Node's headersTimeout runs from the accept: a client that connects and sends nothing is
  // answered 408 like one that sends half a head.
  receiving_message_ = true;
  message_started_ = last_active_;
  UpdateReading();
}

void Connection::InitAsync() {
  napi_env env = environment_->env();
  socket_async_.Init(env, "TCPWRAP");
  CallbackScope scope(environment_, socket_async_);
  parser_async_.Init(env, "HTTPINCOMINGMESSAGE");
}

void Connection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  Connection* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->environment_->read_buffer(), Environment::kReadBufferSize);
}

void Connection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  Connection* self = static_cast<Connection*>(stream->data);
  if (nread == 0 || self->closing_ || self->environment_->tearing_down()) return;
  self->Touch();
  if (nread == UV_EOF) {
    self->OnEof();
    return;
  }
  if (nread < 0) {
    self->Close(static_cast<int>(nread));
    return;
  }
  self->Parse(buf->base, static_cast<size_t>(nread));
}

// Parses one read. The parser stops early in four cases: an error, a hand-off to another
// protocol, a handler that threw, and output over the high-water mark (requested in
// OnMessageComplete). In the last case what was not parsed waits in the backlog until the peer
// has read enough: a client that pipelines requests without reading the answers makes the
// server stop reading, and neither the queued answers nor the held input grow without bound.
void Connection::Parse(const char* data, size_t len) {
  if (callback_error_code_ != nullptr) {
    // Node: once a handler has thrown, the next bytes get the error (the connection is unusable).
    ReportCallbackError(data, len);
    return;
  }
  dispatching_ = true;
  const uint32_t completed_before = messages_completed_;
  size_t offset = 0;
  for (;;) {
    offset += parser_.Execute(data + offset, len - offset);
    if (closing_) return;
    if (parser_.error() != ParseError::kOk) {
      ReportParseError(data, len);
      break;
    }
    if (callback_error_code_ != nullptr) {
      if (callback_error_offset_ == 0) callback_error_offset_ = parser_.bytes_parsed();
      // Bytes after the message whose handler threw are not parsed; if there are some, they are
      // what Node would have reported the error with.
      if (offset < len) ReportCallbackError(data + offset, len - offset);
      break;
    }
    if (stopped_) break;
    if (!parser_.paused()) break;
    if (handing_off_) {
      HandOff(data + offset, len - offset);
      break;
    }
    // Paused after a message because the output is over the high-water mark: send what is
    // queued; if the kernel took it, go on with this read, else keep the rest for later.
    dispatching_ = false;
    Flush();
    if (closing_) return;
    parser_.Resume();
    if (queued_output() < settings_->output_high_water) {
      dispatching_ = true;
      continue;
    }
    backlog_.Append(data + offset, len - offset);
    paused_for_output_ = true;
    UpdateReading();
    return;
  }
  if (!receiving_message_ && !stopped_ && callback_error_code_ == nullptr &&
      (!parser_.idle() || messages_completed_ == completed_before)) {
    // A message began in this read, or the read was only the empty lines allowed before a
    // request line (RFC 9112 §2.2): either way headersTimeout now runs, so padding sent forever
    // cannot hold the connection.
    receiving_message_ = true;
    head_received_ = false;
    message_started_ = last_active_;
  }
  dispatching_ = false;
  if (!closing_) Flush();
}

void Connection::ParseBacklog() {
  if (backlog_.empty()) return;
  ByteBuffer input;
  input.Swap(backlog_);
  Parse(input.data(), input.size());
}

void Connection::ReportParseError(const char* data, size_t len) {
  ReportError(ParseErrorCode(parser_.error()), parser_.error_reason(), parser_.bytes_parsed(), data,
              len, true, parser_.error_status());
}

// Node's codes: HPE_CB_HEADERS_COMPLETE for a 'request' handler that threw, HPE_JS_EXCEPTION
// for a body or end handler; bytesParsed is where the parser was when it happened.
void Connection::ReportCallbackError(const char* data, size_t len) {
  ReportError(callback_error_code_, callback_error_reason_, callback_error_offset_, data, len, true,
              400);
}

void Connection::ReportError(const char* code, const char* reason, uint64_t bytes_parsed,
                             const char* raw_packet, size_t raw_length, bool has_packet,
                             uint16_t status) {
  // No further input is read: the connection ends with the error response JS writes.
  stopped_ = true;
  receiving_message_ = false;
  UpdateReading();
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.Utf8(code);
  args.Utf8(reason);
  args.Number(static_cast<double>(bytes_parsed));
  if (has_packet) args.BufferCopy(raw_packet, raw_length);
  else args.Undefined();
  args.Int32(status);
  environment_->Call(parser_async_, environment_->callbacks().on_parse_error, args);
}

void Connection::HandlerThrew(const char* code, const char* reason) {
  if (callback_error_code_ != nullptr) return;
  callback_error_code_ = code;
  callback_error_reason_ = reason;
}

HeadAction Connection::OnHead(const MessageHead& head) {
  if (closing_ || stopped_ || callback_error_code_ != nullptr) return HeadAction::kPause;
  head_received_ = true;
  if (!receiving_message_) {
    // The message began in this read (a pipelined one after the previous).
    receiving_message_ = true;
    message_started_ = last_active_;
  }
  ++responses_pending_;
  napi_env env = environment_->env();
  HandleScope scope(env);
  uint32_t flags = 0;
  if (head.keep_alive) flags |= kHeadKeepAlive;
  if (head.upgrade) flags |= kHeadUpgrade;
  if (head.chunked) flags |= kHeadChunked;
  const bool bodiless = !head.chunked && (!head.has_content_length || head.content_length == 0);
  if (bodiless) flags |= kHeadComplete;
  message_end_reported_ = bodiless;
  // The fields travel as trailing arguments (JS takes them as a rest parameter): V8 builds that
  // array in one step, where filling an array through N-API costs a call per element.
  JsArguments args(env, environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.Int32(static_cast<int>(head.method));
  args.Latin1(head.url.data, head.url.len);
  args.Int32(head.http_major);
  args.Int32(head.http_minor);
  args.Int32(static_cast<int32_t>(flags));
  for (uint32_t i = 0; i < head.header_count; ++i) {
    const HeaderField& field = head.headers[i];
    const int common = FindFieldName(field.name.data, field.name.len);
    if (common >= 0) args.Int32(common);
    else args.Latin1(field.name.data, field.name.len);
    args.Latin1(field.value.data, field.value.len);
  }
  napi_value hand_off = nullptr;
  switch (environment_->Call(parser_async_, environment_->callbacks().on_head, args, &hand_off)) {
    case Environment::CallResult::kOk:
      break;
    case Environment::CallResult::kThrew:
      // Node's parser stops here, so bytesParsed is the end of this head. The rest of this
      // message is still read past (and ignored): bytes after it are what the error is reported
      // with (see Parse).
      HandlerThrew("HPE_CB_HEADERS_COMPLETE", "User callback error");
      callback_error_offset_ = head.end_offset;
      parser_.RequestPauseAfterMessage();
      return HeadAction::kContinue;
    case Environment::CallResult::kUnavailable:
      stopped_ = true;
      return HeadAction::kPause;
  }
  // An upgrade or CONNECT that JS will hand to its listener: stop right after the head.
  bool take = false;
  if (head.upgrade && hand_off != nullptr && napi_get_value_bool(env, hand_off, &take) == napi_ok &&
      take) {
    handing_off_ = true;
    return HeadAction::kPause;
  }
  return HeadAction::kContinue;
}

void Connection::OnBody(const char* data, size_t len) {
  if (closing_ || stopped_ || callback_error_code_ != nullptr) return;
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.BufferCopy(data, len);
  if (environment_->Call(parser_async_, environment_->callbacks().on_body, args) ==
      Environment::CallResult::kThrew) {
    HandlerThrew("HPE_JS_EXCEPTION", "JS Exception");
    parser_.RequestPauseAfterMessage();
  }
}

void Connection::OnMessageComplete(const HeaderField* trailers, uint32_t count) {
  // After a handler threw, the message is not complete as far as the timeouts go (Node's
  // requestTimeout ends such a connection if the peer sends nothing more).
  if (callback_error_code_ != nullptr) return;
  receiving_message_ = false;
  head_received_ = false;
  ++messages_completed_;
  // Answers queued past the high-water mark: take no further request until the peer reads.
  if (queued_output() >= settings_->output_high_water) parser_.RequestPauseAfterMessage();
  if (message_end_reported_) {
    message_end_reported_ = false;
    return;
  }
  if (closing_ || stopped_) return;
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  if (count > 0) args.FieldArray(trailers, count);
  else args.Undefined();
  if (environment_->Call(parser_async_, environment_->callbacks().on_message_end, args) ==
      Environment::CallResult::kThrew) {
    HandlerThrew("HPE_JS_EXCEPTION", "JS Exception");
  }
}

// The head of an upgrade or CONNECT was the last thing parsed: what follows belongs to the new
// protocol, and goes to JS with the hand-off.
void Connection::HandOff(const char* rest, size_t len) {
  stopped_ = true;
  receiving_message_ = false;
  UpdateReading();
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.BufferCopy(rest, len);
  environment_->Call(parser_async_, environment_->callbacks().on_upgrade, args);
}

void Connection::OnEof() {
  stopped_ = true;
  UpdateReading();
  if (callback_error_code_ == nullptr && parser_.Finish() != ParseError::kOk) {
    ReportParseError("", 0);
    return;
  }
  Notify(socket_async_, environment_->callbacks().on_end);
}

void Connection::Flush() {
  if (dispatching_ || closing_ || shutting_down_) return;
  bool progress = false;
  int err = output_.Flush(&handle_.stream, &progress);
  if (err != 0) {
    Close(err);
    return;
  }
  if (progress) Touch();
  if (!output_.writing()) AfterWrite();
}

void Connection::OnWriteDone(void* owner, int status) {
  Connection* self = static_cast<Connection*>(owner);
  if (self->closing_) return;
  if (status != 0) {
    self->Close(status);
    return;
  }
  self->Touch();
  // More was queued while the write was in flight.
  self->Flush();
}

// The queue is empty.
void Connection::AfterWrite() {
  queued_at_last_check_ = 0;
  if (ending_) {
    MaybeShutdown();
    return;
  }
  if (paused_for_output_) {
    paused_for_output_ = false;
    ParseBacklog();
    if (closing_) return;
    UpdateReading();
  }
  if (want_drain_ && output_.idle()) {
    want_drain_ = false;
    Notify(socket_async_, environment_->callbacks().on_drain);
  }
}

void Connection::UpdateReading() {
  const bool want = !closing_ && !ending_ && !stopped_ && !paused_by_js_ && !paused_for_output_;
  if (want == reading_) return;
  if (want) {
    reading_ = uv_read_start(&handle_.stream, OnAlloc, OnRead) == 0;
  } else {
    uv_read_stop(&handle_.stream);
    reading_ = false;
  }
}

void Connection::Pause() {
  paused_by_js_ = true;
  UpdateReading();
}

void Connection::Resume() {
  paused_by_js_ = false;
  UpdateReading();
}

void Connection::End() {
  if (closing_ || ending_) return;
  ending_ = true;
  UpdateReading();
  if (!dispatching_) Flush();
}

void Connection::MaybeShutdown() {
  if (shutting_down_ || closing_ || !output_.idle()) return;
  shutting_down_ = true;
  shutdown_request_.data = this;
  if (uv_shutdown(&shutdown_request_, &handle_.stream, OnShutdown) != 0) {
    Close(0);
  }
}

void Connection::OnShutdown(uv_shutdown_t* req, int status) {
  Connection* self = static_cast<Connection*>(req->data);
  self->Close(0);
}

// As net.Socket#destroy: what the kernel takes now is sent, the rest dropped. Output gathered
// during the current read counts as written (Node writes each answer at once), so it is offered
// to the kernel before the close.
void Connection::Destroy() {
  if (!closing_ && dispatching_ && !output_.writing()) {
    bool progress = false;
    output_.Flush(&handle_.stream, &progress);
  }
  Close(0);
}

int Connection::Detach() {
  if (closing_) return UV_EBADF;
  stopped_ = true;
  UpdateReading();
  if (!output_.idle()) {
    // An answer queued before the hand-off (a response still leaving, an interim 100) goes
    // first: the new protocol's bytes must not overtake it, so the hand-off waits for it.
    bool progress = false;
    int err = output_.Flush(&handle_.stream, &progress);
    if (err != 0) {
      Close(err);
      return err;
    }
    if (!output_.idle()) return UV_EAGAIN;
  }
  uv_os_fd_t fd;
  int err = uv_fileno(&handle_.handle, &fd);
  if (err == 0) {
    int copy = dup(fd);
    if (copy >= 0) {
      Close(0);
      return copy;
    }
    err = uv_translate_sys_error(errno);
  }
  Close(err);
  return err;
}

void Connection::SetTimeout(uint64_t milliseconds) {
  timeout_ = milliseconds;
  Touch();
  if (milliseconds > 0) environment_->EnsureSweepTimer();
}

void Connection::ResponseEnded() {
  if (responses_pending_ > 0) --responses_pending_;
  Touch();
}

void Connection::CheckTimeout(uint64_t now) {
  if (closing_) return;
  // Output taken by the peer since the last check is activity: a slow reader of a large
  // response is busy, not idle.
  const size_t queued = queued_output();
  if (queued < queued_at_last_check_) Touch();
  queued_at_last_check_ = queued;
  const ServerSettings& settings = *settings_;
  if (receiving_message_ && !stopped_) {
    const uint64_t elapsed = now - message_started_;
    if ((!head_received_ && settings.headers_timeout_ms > 0 &&
         elapsed >= settings.headers_timeout_ms) ||
        (settings.request_timeout_ms > 0 && elapsed >= settings.request_timeout_ms)) {
      // Node's ERR_HTTP_REQUEST_TIMEOUT, answered with 408 (RFC 9110 §15.5.9).
      ReportError("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout", parser_.bytes_parsed(), nullptr, 0,
                  false, 408);
      return;
    }
  }
  // Once every response has ended and its bytes have left, the keep-alive timeout stands in for
  // the socket's own (Node: socket.setTimeout(keepAliveTimeout + 1000) from the response's
  // 'finish' until the next request). While answers are still queued, or the connection is
  // closing, the socket's own timeout applies as on Node; the clock runs only while nothing
  // moves, so output leaving at any pace keeps the connection. Where Node would then wait
  // forever (no socket timeout), the keep-alive bound ends a peer that takes none of the output,
  // so it cannot hold the descriptor and the queued answer without limit.
  const bool between_requests = responses_pending_ == 0 && !receiving_message_;
  const bool finished = !ending_ && output_.idle();
  uint64_t timeout = timeout_;
  if (between_requests && settings.keep_alive_timeout_ms > 0 && (finished || timeout_ == 0)) {
    timeout = settings.keep_alive_timeout_ms;
  }
  if (timeout == 0 || now - last_active_ < timeout) return;
  // Tell JS once per idle period; JS decides (Node's 'timeout' event leaves the socket open).
  Touch();
  Notify(socket_async_, environment_->callbacks().on_timeout);
}

void Connection::Notify(const AsyncResource& resource, const Napi::FunctionReference& callback) {
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  environment_->Call(resource, callback, args);
}

void Connection::Close(int error) {
  if (closing_) return;
  closing_ = true;
  close_error_ = error;
  reading_ = false;
  output_.Discard();
  environment_->connections().Remove(id_);
  uv_close(&handle_.handle, OnClosed);
}

void Connection::OnClosed(uv_handle_t* handle) {
  Connection* self = static_cast<Connection*>(handle->data);
  Environment* environment = self->environment_;
  napi_env env = environment->env();
  {
    HandleScope scope(env);
    JsArguments args(env, environment->scratch_arguments());
    args.Number(static_cast<double>(self->id_));
    args.Int32(self->close_error_);
    environment->Call(self->socket_async_, environment->callbacks().on_close, args);
    self->parser_async_.Destroy(env);
    self->socket_async_.Destroy(env);
  }
  delete self;
  environment->HandleClosed();
}

}  // namespace uvhttp
