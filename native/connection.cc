#include "connection.h"

#include <unistd.h>

#include <vector>

#include <cerrno>

#include "field_names.h"

namespace uvhttp {

Connection::Connection(Environment* environment, const ParserLimits& limits)
    : environment_(environment),
      parser_(HttpParser::Type::kRequest, this, limits),
      output_(this, OnWriteDone) {}

Connection* Connection::Accept(Environment* environment, uv_stream_t* server,
                               const ParserLimits& limits) {
  Connection* self = new Connection(environment, limits);
  InitLike(environment->loop(), server, &self->handle_);
  environment->HandleOpened();
  self->handle_.handle.data = self;
  self->id_ = environment->connections().Add(self);
  if (uv_accept(server, &self->handle_.stream) != 0) {
    self->Close(0);
    return nullptr;
  }
  // Node's http.Server sets noDelay by default: a response is not held back by Nagle.
  if (IsTcp(self->handle_)) uv_tcp_nodelay(&self->handle_.tcp, 1);
  self->Touch();
  self->Resume();
  return self;
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

void Connection::Parse(const char* data, size_t len) {
  dispatching_ = true;
  if (!receiving_message_) {
    receiving_message_ = true;
    head_received_ = false;
    message_started_ = last_active_;
  }
  size_t consumed = parser_.Execute(data, len);
  // A read may end exactly between messages; the next byte starts a new one.
  if (parser_.idle() && parser_.error() == ParseError::kOk) receiving_message_ = false;
  if (parser_.error() != ParseError::kOk) {
    ReportParseError(data, len, consumed);
  } else if (parser_.paused() && !closing_) {
    // JS took the connection for another protocol: what follows the head is that protocol's.
    Pause();
    receiving_message_ = false;
    Napi::HandleScope scope(environment_->env());
    Napi::Env env = environment_->env();
    environment_->MakeCallback(environment_->callbacks().on_upgrade,
                               {Napi::Number::New(env, static_cast<double>(id_)),
                                Napi::Buffer<char>::Copy(env, data + consumed, len - consumed)});
  }
  dispatching_ = false;
  if (!closing_) Flush();
}

void Connection::ReportParseError(const char* data, size_t len, size_t parsed) {
  Napi::HandleScope scope(environment_->env());
  Napi::Env env = environment_->env();
  ReportError(ParseErrorCode(parser_.error()), parser_.error_reason(), parsed,
              Napi::Buffer<char>::Copy(env, data, len), parser_.error_status());
}

void Connection::ReportError(const char* code, const char* reason, uint64_t bytes_parsed,
                             napi_value raw_packet, uint16_t status) {
  // No further input is read: the connection ends with the error response JS writes.
  Pause();
  receiving_message_ = false;
  Napi::Env env = environment_->env();
  environment_->MakeCallback(environment_->callbacks().on_parse_error, {
      Napi::Number::New(env, static_cast<double>(id_)),
      Napi::String::New(env, code),
      Napi::String::New(env, reason),
      Napi::Number::New(env, static_cast<double>(bytes_parsed)),
      raw_packet,
      Napi::Number::New(env, status),
  });
}

HeadAction Connection::OnHead(const MessageHead& head) {
  if (closing_) return HeadAction::kPause;
  head_received_ = true;
  ++responses_pending_;
  // Each call into JS is its own callback scope, as each of Node's parser callbacks is: the
  // microtasks and ticks a handler queues run before the next event of the same read.
  Napi::HandleScope scope(environment_->env());
  Napi::Env env = environment_->env();
  uint32_t flags = 0;
  if (head.keep_alive) flags |= kHeadKeepAlive;
  if (head.upgrade) flags |= kHeadUpgrade;
  if (head.chunked) flags |= kHeadChunked;
  const bool bodiless = !head.chunked && (!head.has_content_length || head.content_length == 0);
  if (bodiless) flags |= kHeadComplete;
  message_end_reported_ = bodiless;
  // The fields travel as trailing arguments (JS takes them as a rest parameter): V8 builds that
  // array in one step, where filling an array through N-API costs a call per element.
  std::vector<napi_value>& args = environment_->scratch_arguments();
  args.resize(kHeadFixedArguments + head.header_count * 2);
  args[0] = Napi::Number::New(env, static_cast<double>(id_));
  args[1] = Napi::Number::New(env, static_cast<int>(head.method));
  napi_create_string_latin1(env, head.url.data, head.url.len, &args[2]);
  args[3] = Napi::Number::New(env, head.http_major);
  args[4] = Napi::Number::New(env, head.http_minor);
  args[5] = Napi::Number::New(env, flags);
  napi_value* field_values = args.data() + kHeadFixedArguments;
  for (uint32_t i = 0; i < head.header_count; ++i) {
    const HeaderField& field = head.headers[i];
    const int common = FindFieldName(field.name.data, field.name.len);
    if (common >= 0) {
      napi_create_int32(env, common, &field_values[i * 2]);
    } else {
      napi_create_string_latin1(env, field.name.data, field.name.len, &field_values[i * 2]);
    }
    napi_create_string_latin1(env, field.value.data, field.value.len, &field_values[i * 2 + 1]);
  }
  napi_value hand_off =
      environment_->MakeCallback(environment_->callbacks().on_head, args.size(), args.data());
  // An upgrade or CONNECT that JS will hand to its listener: stop right after the head.
  bool take = false;
  if (head.upgrade && hand_off != nullptr && napi_get_value_bool(env, hand_off, &take) == napi_ok &&
      take) {
    return HeadAction::kPause;
  }
  return HeadAction::kContinue;
}

void Connection::OnBody(const char* data, size_t len) {
  if (closing_) return;
  Napi::HandleScope scope(environment_->env());
  Napi::Env env = environment_->env();
  environment_->MakeCallback(environment_->callbacks().on_body,
                             {Napi::Number::New(env, static_cast<double>(id_)),
                              Napi::Buffer<char>::Copy(env, data, len)});
}

void Connection::OnMessageComplete(const HeaderField* trailers, uint32_t count) {
  // Pipelined bytes after this message start the next one now.
  message_started_ = last_active_;
  head_received_ = false;
  if (message_end_reported_) {
    message_end_reported_ = false;
    return;
  }
  if (closing_) return;
  Napi::HandleScope scope(environment_->env());
  Napi::Env env = environment_->env();
  Napi::Value trailer_list = env.Undefined();
  if (count > 0) {
    Napi::Array list = Napi::Array::New(env, count * 2);
    for (uint32_t i = 0; i < count; ++i) {
      napi_value name;
      napi_value value;
      napi_create_string_latin1(env, trailers[i].name.data, trailers[i].name.len, &name);
      napi_create_string_latin1(env, trailers[i].value.data, trailers[i].value.len, &value);
      napi_set_element(env, list, i * 2, name);
      napi_set_element(env, list, i * 2 + 1, value);
    }
    trailer_list = list;
  }
  environment_->MakeCallback(environment_->callbacks().on_message_end,
                             {Napi::Number::New(env, static_cast<double>(id_)), trailer_list});
}

void Connection::OnEof() {
  Pause();
  if (parser_.Finish() != ParseError::kOk) {
    ReportParseError("", 0, 0);
    return;
  }
  Napi::HandleScope scope(environment_->env());
  Napi::Env env = environment_->env();
  environment_->MakeCallback(environment_->callbacks().on_end,
                             {Napi::Number::New(env, static_cast<double>(id_))});
}

void Connection::Flush() {
  if (dispatching_ || closing_ || shutting_down_) return;
  int err = output_.Flush(&handle_.stream);
  if (err != 0) {
    Close(err);
    return;
  }
  Touch();
  if (output_.idle()) AfterWrite();
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

void Connection::AfterWrite() {
  if (ending_) {
    MaybeShutdown();
    return;
  }
  if (want_drain_ && !environment_->tearing_down()) {
    want_drain_ = false;
    Napi::HandleScope scope(environment_->env());
    Napi::Env env = environment_->env();
    environment_->MakeCallback(environment_->callbacks().on_drain,
                               {Napi::Number::New(env, static_cast<double>(id_))});
  }
}

void Connection::Pause() {
  paused_ = true;
  if (reading_) {
    uv_read_stop(&handle_.stream);
    reading_ = false;
  }
}

void Connection::Resume() {
  paused_ = false;
  if (!reading_ && !closing_ && !ending_) {
    if (uv_read_start(&handle_.stream, OnAlloc, OnRead) == 0) {
      reading_ = true;
    }
  }
}

void Connection::End() {
  if (closing_ || ending_) return;
  ending_ = true;
  Pause();
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

void Connection::Destroy() { Close(0); }

int Connection::Detach() {
  Pause();
  uv_stream_t* stream = &handle_.stream;
  // Bytes queued before the hand-off (an interim response, say) go first; a write still in
  // flight when the handle closes would be lost, so only what the kernel takes now is sent.
  if (output_.Flush(stream) != 0 || !output_.idle()) {
    Close(UV_EAGAIN);
    return UV_EAGAIN;
  }
  uv_os_fd_t fd;
  int err = uv_fileno(&handle_.handle, &fd);
  if (err != 0) return err;
  int copy = dup(fd);
  if (copy < 0) return uv_translate_sys_error(errno);
  Close(0);
  return copy;
}

void Connection::SetTimeout(uint64_t milliseconds) {
  timeout_ = milliseconds;
  Touch();
  if (milliseconds > 0) environment_->EnsureSweepTimer();
}

void Connection::SetRequestTimeouts(uint64_t headers_ms, uint64_t request_ms) {
  headers_timeout_ = headers_ms;
  request_timeout_ = request_ms;
  if (headers_ms > 0 || request_ms > 0) environment_->EnsureSweepTimer();
}

void Connection::SetKeepAliveTimeout(uint64_t milliseconds) {
  keep_alive_timeout_ = milliseconds;
  if (milliseconds > 0) environment_->EnsureSweepTimer();
}

void Connection::ResponseEnded() {
  if (responses_pending_ > 0) --responses_pending_;
  served_ = true;
  Touch();
}

void Connection::CheckTimeout(uint64_t now) {
  if (closing_ || ending_) return;
  if (receiving_message_ && reading_) {
    const uint64_t elapsed = now - message_started_;
    if ((!head_received_ && headers_timeout_ > 0 && elapsed >= headers_timeout_) ||
        (request_timeout_ > 0 && elapsed >= request_timeout_)) {
      // Node's ERR_HTTP_REQUEST_TIMEOUT, answered with 408 (RFC 9110 §15.5.9).
      Napi::HandleScope scope(environment_->env());
      napi_value no_packet;
      napi_get_undefined(environment_->env(), &no_packet);
      ReportError("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout", parser_.bytes_parsed(), no_packet,
                  408);
      return;
    }
  }
  // Between requests on a kept-alive connection the keep-alive timeout stands in for the
  // socket's own (Node: socket.setTimeout(keepAliveTimeout + 1000) until the next request).
  const bool between_requests = served_ && responses_pending_ == 0 && !receiving_message_;
  const uint64_t timeout =
      between_requests && keep_alive_timeout_ > 0 ? keep_alive_timeout_ : timeout_;
  if (timeout == 0 || now - last_active_ < timeout) return;
  // Tell JS once per idle period; JS decides (Node's 'timeout' event leaves the socket open).
  Touch();
  Napi::HandleScope scope(environment_->env());
  Napi::Env env = environment_->env();
  environment_->MakeCallback(environment_->callbacks().on_timeout,
                             {Napi::Number::New(env, static_cast<double>(id_))});
}

void Connection::Close(int error) {
  if (closing_) return;
  closing_ = true;
  close_error_ = error;
  reading_ = false;
  environment_->connections().Remove(id_);
  uv_close(&handle_.handle, OnClosed);
}

void Connection::OnClosed(uv_handle_t* handle) {
  Connection* self = static_cast<Connection*>(handle->data);
  Environment* environment = self->environment_;
  if (!environment->tearing_down()) {
    Napi::HandleScope scope(environment->env());
    Napi::Env env = environment->env();
    environment->MakeCallback(environment->callbacks().on_close,
                              {Napi::Number::New(env, static_cast<double>(self->id_)),
                               Napi::Number::New(env, self->close_error_)});
  }
  delete self;
  environment->HandleClosed();
}

}  // namespace uvhttp
