#include "listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "connection.h"

namespace uvhttp {

namespace {

// SO_REUSEPORT must be on the socket before bind(2), and the libuv Node 20 carries (1.46) has no
// bind flag for it (UV_TCP_REUSEPORT came in 1.49): the socket is made here and handed to libuv,
// which binds it as its own.
int OpenReusePortSocket(uv_tcp_t* handle, int family) {
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return uv_translate_sys_error(errno);
  const int on = 1;
  int err = 0;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0) err = uv_translate_sys_error(errno);
  if (err == 0) err = uv_tcp_open(handle, fd);
  if (err != 0) close(fd);
  return err;
}

// `ipv6_only` applies to an IPv6 address only, as Node passes the flag to bind6 alone.
int Bind(uv_tcp_t* handle, const char* host, int port, bool ipv6_only, bool reuse_port) {
  sockaddr_storage address;
  int err = uv_ip6_addr(host, port, reinterpret_cast<sockaddr_in6*>(&address));
  if (err != 0) {
    ipv6_only = false;
    err = uv_ip4_addr(host, port, reinterpret_cast<sockaddr_in*>(&address));
  }
  if (err != 0) return err;
  if (reuse_port) {
    err = OpenReusePortSocket(handle, address.ss_family);
    if (err != 0) return err;
  }
  return uv_tcp_bind(handle, reinterpret_cast<const sockaddr*>(&address), ipv6_only ? UV_TCP_IPV6ONLY : 0);
}

}  // namespace

Listener::Listener(Environment* environment, std::shared_ptr<StreamSettings> settings, bool local)
    : environment_(environment), settings_(std::move(settings)) {
  if (local) {
    uv_pipe_init(environment->loop(), &handle_.pipe, 0);
  } else {
    uv_tcp_init(environment->loop(), &handle_.tcp);
  }
  environment->HandleOpened();
  handle_.handle.data = this;
  id_ = environment->listeners().Add(this);
  async_.Init(environment->env(), "TCPSERVERWRAP");
  // headersTimeout/requestTimeout are checked every connectionsCheckingInterval.
  environment->CheckRequestsEvery(settings_->connections_checking_interval_ms);
}

int Listener::Open(const char* host, int port, int backlog, const BindOptions& bind,
                   const char** syscall) {
  *syscall = "bind";
  int err = Bind(&handle_.tcp, host, port, bind.ipv6_only, bind.reuse_port);
  if (err != 0) return err;
  *syscall = "listen";
  return uv_listen(&handle_.stream, backlog, OnConnection);
}

int Listener::Create(Environment* environment, const char* host, int port, int backlog,
                     const BindOptions& bind, std::shared_ptr<StreamSettings> settings,
                     uint64_t* id, const char** syscall) {
  const bool any_address = host[0] == '\0';
  Listener* listener = new Listener(environment, settings, false);
  int err = listener->Open(any_address ? "::" : host, port, backlog, bind, syscall);
  if (err != 0 && any_address && (err == UV_EAFNOSUPPORT || err == UV_EADDRNOTAVAIL)) {
    // No IPv6 on this machine: every IPv4 address instead, as net.Server does.
    listener->Close();
    listener = new Listener(environment, settings, false);
    err = listener->Open("0.0.0.0", port, backlog, BindOptions{false, bind.reuse_port}, syscall);
  }
  if (err != 0) {
    listener->Close();
    return err;
  }
  *id = listener->id_;
  return 0;
}

int Listener::CreateLocal(Environment* environment, const char* path, int backlog,
                          std::shared_ptr<StreamSettings> settings, uint64_t* id, const char** syscall) {
  Listener* listener = new Listener(environment, settings, true);
  *syscall = "bind";
  int err = uv_pipe_bind(&listener->handle_.pipe, path);
  if (err == 0) {
    *syscall = "listen";
    err = uv_listen(&listener->handle_.stream, backlog, OnConnection);
  }
  if (err != 0) {
    listener->Close();
    return err;
  }
  *id = listener->id_;
  return 0;
}

int Listener::CreateOnDescriptor(Environment* environment, uv_os_sock_t fd, bool duplicate,
                                 int backlog, std::shared_ptr<StreamSettings> settings, uint64_t* id,
                                 const char** syscall) {
  *syscall = "listen";
  const uv_handle_type type = uv_guess_handle(fd);
  if (type != UV_TCP && type != UV_NAMED_PIPE) return UV_EINVAL;
  if (duplicate) {
    fd = dup(fd);
    if (fd < 0) return uv_translate_sys_error(errno);
  }
  const bool local = type == UV_NAMED_PIPE;
  Listener* listener = new Listener(environment, settings, local);
  int err = local ? uv_pipe_open(&listener->handle_.pipe, fd) : uv_tcp_open(&listener->handle_.tcp, fd);
  if (err != 0 && duplicate) close(fd);
  if (err == 0) err = uv_listen(&listener->handle_.stream, backlog, OnConnection);
  if (err != 0) {
    listener->Close();
    return err;
  }
  *id = listener->id_;
  return 0;
}

uint64_t Listener::CreateForHandedConnections(Environment* environment,
                                              std::shared_ptr<StreamSettings> settings) {
  return (new Listener(environment, settings, false))->id_;
}

void Listener::Close() {
  if (closing_) return;
  closing_ = true;
  environment_->listeners().Remove(id_);
  uv_close(&handle_.handle, OnClosed);
}

void Listener::OnClosed(uv_handle_t* handle) {
  Listener* self = static_cast<Listener*>(handle->data);
  Environment* environment = self->environment_;
  self->async_.Destroy(environment->env());
  delete self;
  environment->HandleClosed();
}

void Listener::OnConnection(uv_stream_t* server, int status) {
  Listener* self = static_cast<Listener*>(server->data);
  Environment* environment = self->environment_;
  if (status != 0 || self->closing_ || environment->tearing_down()) return;
  Connection* connection = Connection::Accept(environment, server, self->settings_);
  if (connection == nullptr) return;
  napi_env env = environment->env();
  HandleScope handles(env);
  // As Node's onconnection: the socket's resources are created, and 'connection' emitted, in the
  // listener's async context (its AsyncLocalStorage stores included).
  const uint64_t listener_id = self->id_;
  auto steps = [environment, env, connection, listener_id] {
    connection->InitAsync();
    JsArguments args(env, environment->scratch_arguments());
    args.Number(static_cast<double>(listener_id));
    args.Number(static_cast<double>(connection->id()));
    environment->CallInScope(environment->callbacks().on_connection, args);
  };
  environment->RunIn(self->async_, steps);
}

}  // namespace uvhttp
