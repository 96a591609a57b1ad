#include "connection.h"

#include <unistd.h>
#ifndef _WIN32
#include <sys/ioctl.h>
#endif

#include <cerrno>
#include <utility>

namespace uvhttp {

Connection::Connection(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings)
    : HttpStream(environment, role, std::move(settings)), output_(environment->env(), this, OnWriteDone) {}

Connection* Connection::Create(Environment* environment, Role role,
                               std::shared_ptr<StreamSettings> settings, bool local) {
  Connection* self = new Connection(environment, role, std::move(settings));
  if (local) uv_pipe_init(environment->loop(), &self->handle_.pipe, 0);
  else uv_tcp_init(environment->loop(), &self->handle_.tcp);
  environment->HandleOpened();
  self->handle_.handle.data = self;
  self->id_ = environment->streams().Add(self);
  return self;
}

Connection* Connection::Accept(Environment* environment, uv_stream_t* server,
                               std::shared_ptr<StreamSettings> settings) {
  Connection* self = Create(environment, Role::kServer, std::move(settings), server->type == UV_NAMED_PIPE);
  if (uv_accept(server, &self->handle_.stream) != 0) {
    self->Close(0);
    return nullptr;
  }
  self->Start();
  return self;
}

Connection* Connection::Adopt(Environment* environment, uv_os_sock_t fd,
                              std::shared_ptr<StreamSettings> settings, int* error) {
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
  Connection* self = Create(environment, Role::kServer, std::move(settings), type == UV_NAMED_PIPE);
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
  // The connection's clocks start at its accept, not at the loop time cached when this turn of
  // the loop began: after a long turn (many accepts, slow handlers) that is milliseconds old and
  // server.timeout would fire early (Node's socket.setTimeout reads the clock afresh).
  uv_update_time(environment_->loop());
  Touch();
  // Node's headersTimeout runs from the accept: a client that connects and sends nothing is
  // answered 408 like one that sends half a head.
  receiving_message_ = true;
  message_started_ = last_active_;
  UpdateReading();
}

Connection* Connection::Connect(Environment* environment, std::shared_ptr<StreamSettings> settings,
                                const sockaddr* address, const sockaddr* local, int* error,
                                const char** syscall) {
  Connection* self = Create(environment, Role::kClient, std::move(settings), false);
  *error = 0;
  if (local != nullptr) {
    *syscall = "bind";
    *error = uv_tcp_bind(&self->handle_.tcp, local, 0);
  }
  if (*error == 0) {
    *syscall = "connect";
    self->connect_request_.data = self;
    *error = uv_tcp_connect(&self->connect_request_, &self->handle_.tcp, address, OnConnect);
  }
  if (*error != 0) {
    self->Close(*error);
    return nullptr;
  }
  self->connecting_ = true;
  self->InitAsync();
  return self;
}

Connection* Connection::ConnectLocal(Environment* environment, std::shared_ptr<StreamSettings> settings,
                                     const std::string& path) {
  Connection* self = Create(environment, Role::kClient, std::move(settings), true);
  self->connect_request_.data = self;
  self->connecting_ = true;
  // Errors (a missing path, a refused connection) come through OnConnect.
  uv_pipe_connect(&self->connect_request_, &self->handle_.pipe, path.c_str(), OnConnect);
  self->InitAsync();
  return self;
}

void Connection::OnConnect(uv_connect_t* req, int status) {
  Connection* self = static_cast<Connection*>(req->data);
  self->connecting_ = false;
  if (self->closing_) return;
  if (status == 0) {
    self->Touch();
    self->UpdateReading();
    // What JS wrote while connecting (as net buffers writes until the connection is made).
    self->Flush();
  }
  HandleScope scope(self->environment_->env());
  JsArguments args(self->environment_->env(), self->environment_->scratch_arguments());
  args.Number(static_cast<double>(self->id_));
  args.Int32(status);
  self->environment_->Call(self->socket_async_, self->environment_->callbacks().on_connect, args);
  // A connection that failed is closed by JS (socket.destroy), as net closes its handle.
}

void Connection::InitAsync() {
  socket_async_.Init(environment_->env(), "TCPWRAP");
  InitParserResource(socket_async_);
}

void Connection::ResetAsync(bool socket) {
  napi_env env = environment_->env();
  parser_async_.Destroy(env);
  if (socket) {
    socket_async_.Destroy(env);
    socket_async_.Init(env, "TCPWRAP");
  }
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
    self->EndOfInput(self->socket_async_);
    return;
  }
  if (nread < 0) {
    self->Close(static_cast<int>(nread));
    return;
  }
  self->bytes_read_ += static_cast<uint64_t>(nread);
  if (!self->raw_reads_ && self->role() == Role::kServer) {
    self->Parse(buf->base, static_cast<size_t>(nread));
    return;
  }
  // As Node's client (its parser is a 'data' listener): the parser has the read first, then
  // the 'data' listeners, all in one callback scope. The ticks the parser's events queue run
  // after the whole read, not between them: bytes after a response in the same read are still
  // parsed for its request, before the request lets the connection go (emitFreeNT).
  HandleScope handles(self->environment_->env());
  CallbackScope scope(self->environment_, self->socket_async_);
  self->Parse(buf->base, static_cast<size_t>(nread));
  if (self->closing_ || !self->raw_reads_) return;
  JsArguments args(self->environment_->env(), self->environment_->scratch_arguments());
  args.Number(static_cast<double>(self->id_));
  args.BufferCopy(buf->base, static_cast<size_t>(nread));
  // Through napi_make_callback on the socket's resource, not a plain call in the scope: on Node
  // 24, where AsyncLocalStorage runs on AsyncContextFrame, the call enters the frame the
  // resource was made (or reset) in, as Node's 'data' runs in its TCP handle's; a callback scope
  // alone leaves the libuv callback's (no store). Nested in the scope, it runs no ticks itself.
  self->environment_->Call(self->socket_async_, self->environment_->callbacks().on_data, args);
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
    // A client's 'response' listener may destroy the request: as on Node, the rest of the read
    // is still parsed for it (a body already here ends the response instead of aborting it).
    draining_read_ = role() == Role::kClient;
    offset += parser_.Execute(data + offset, len - offset);
    draining_read_ = false;
    if (closing_) return;
    if (!AfterExecute(data, len, offset)) break;
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
  AfterInput(completed_before);
  dispatching_ = false;
  if (!closing_) Flush();
}

void Connection::ParseBacklog() {
  if (backlog_.empty()) return;
  ByteBuffer input;
  input.Swap(backlog_);
  Parse(input.data(), input.size());
}

void Connection::Flush() {
  if (dispatching_ || closing_ || shutting_down_ || connecting_) return;
  bool progress = false;
  int err = output_.Flush(&handle_.stream, &progress);
  if (err != 0) {
    Close(err);
    return;
  }
  if (progress) {
    // What the kernel took just now is this moment's activity; the rest is the baseline the
    // next idle look compares with.
    Touch();
    queued_at_last_check_ = queued_output();
  }
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
  ScheduleIdle();
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
  const bool want = !closing_ && !connecting_ && !ending_ && !stopped_ && !paused_by_js_ &&
                    !paused_for_output_;
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
  ScheduleIdle();
  if (!dispatching_) Flush();
}

void Connection::MaybeShutdown() {
  if (shutting_down_ || closing_ || connecting_ || !output_.idle()) return;
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

bool Connection::HasPendingRead() {
  if (connecting_ || closing_) return false;
#ifdef _WIN32
  return false;
#else
  uv_os_fd_t fd;
  if (uv_fileno(&handle_.handle, &fd) != 0) return false;
  int pending = 0;
  return ioctl(fd, FIONREAD, &pending) == 0 && pending > 0;
#endif
}

void Connection::SetTimeout(uint64_t milliseconds) {
  timeout_ = milliseconds;
  // The period starts now, not at the loop time cached when this turn of the loop began (a long
  // turn would make it fire early): Node's timers read the clock afresh the same way
  // (getLibuvNow updates the loop's time).
  uv_update_time(environment_->loop());
  Touch();
  ScheduleIdle();
}

void Connection::ResponseEnded() {
  if (responses_pending_ > 0) --responses_pending_;
  Touch();
  ScheduleIdle();
}

// Once every response has ended and its bytes have left, the keep-alive timeout stands in for
// the socket's own (Node: socket.setTimeout(keepAliveTimeout + 1000) from the response's 'finish'
// until the next request). While answers are still queued, or the connection is closing, the
// socket's own timeout applies as on Node; the clock runs only while nothing moves, so output
// leaving at any pace keeps the connection. Where Node would then wait forever (no socket
// timeout), the keep-alive bound ends a peer that takes none of the output, so it cannot hold
// the descriptor and the queued answer without limit.
uint64_t Connection::IdleTimeout() const {
  const StreamSettings& settings = *settings_;
  const bool between_requests = role_ == Role::kServer && responses_pending_ == 0 && !receiving_message_;
  const bool finished = !ending_ && output_.idle();
  if (between_requests && settings.keep_alive_timeout_ms > 0 && (finished || timeout_ == 0)) {
    return settings.keep_alive_timeout_ms;
  }
  return timeout_;
}

void Connection::ScheduleIdle() {
  if (closing_) return;
  const uint64_t timeout = IdleTimeout();
  if (timeout == 0) return;
  const uint64_t deadline = last_active_ + timeout;
  // An earlier wake-up is already set: it looks again then.
  if (idle_due_ != 0 && idle_due_ <= deadline) return;
  idle_due_ = deadline;
  // What is queued now is what the next look compares with.
  queued_at_last_check_ = queued_output();
  environment_->idle_timers().Schedule(id_, deadline);
}

void Connection::OnIdleDue(uint64_t due, uint64_t now) {
  if (due != idle_due_ || closing_) return;  // a later schedule replaced this one
  idle_due_ = 0;
  // Output taken by the peer since the last look is activity: a slow reader of a large
  // response is busy, not idle.
  const size_t queued = queued_output();
  if (queued < queued_at_last_check_) Touch();
  queued_at_last_check_ = queued;
  const uint64_t timeout = IdleTimeout();
  if (timeout == 0) return;
  if (now - last_active_ < timeout) {
    ScheduleIdle();
    return;
  }
  // Tell JS once per idle period; JS decides (Node's 'timeout' event leaves the socket open).
  Touch();
  Notify(socket_async_, environment_->callbacks().on_timeout);
  ScheduleIdle();
}

void Connection::Close(int error) {
  if (closing_) return;
  closing_ = true;
  close_error_ = error;
  reading_ = false;
  output_.Discard();
  environment_->streams().Remove(id_);
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
    args.Number(static_cast<double>(self->bytes_read_));
    environment->Call(self->socket_async_, environment->callbacks().on_close, args);
    self->parser_async_.Destroy(env);
    self->socket_async_.Destroy(env);
  }
  delete self;
  environment->HandleClosed();
}

}  // namespace uvhttp
