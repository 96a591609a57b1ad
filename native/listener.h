// A listening TCP socket and its accept loop.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>

#include "environment.h"
#include "js_call.h"
#include "stream_settings.h"
#include "stream_handle.h"

namespace uvhttp {

// How a TCP listener binds: Node's ipv6Only (an IPv6 address, or every address, without IPv4
// mapped in) and reusePort (SO_REUSEPORT: other sockets may bind the same address and port, and
// the kernel spreads the connections among them).
struct BindOptions {
  bool ipv6_only;
  bool reuse_port;
};

class Listener {
 public:
  // Binds and listens on an IP literal (JS resolves names first). An empty host means every
  // address: "::" with IPv4 mapped in, or "0.0.0.0" where IPv6 is unavailable, as Node does.
  // Returns 0 and the new listener's id, or a libuv error and the syscall that failed. Called
  // from JS: the listener's async resource ("TCPSERVERWRAP") is a child of the caller's context,
  // so the AsyncLocalStorage store active at listen() reaches the connections' handlers.
  static int Create(Environment* environment, const char* host, int port, int backlog,
                    const BindOptions& bind, std::shared_ptr<StreamSettings> settings,
                    uint64_t* id, const char** syscall);
  // Listens on a local (Unix domain) socket at `path`.
  static int CreateLocal(Environment* environment, const char* path, int backlog,
                         std::shared_ptr<StreamSettings> settings, uint64_t* id, const char** syscall);
  // Listens on a socket that is already open: a descriptor the process inherited (systemd
  // socket activation) or was given (listen({ fd })), or, with `duplicate`, a duplicate of one
  // that a Node handle owns and keeps. TCP or local, as the descriptor is; anything else is
  // UV_EINVAL, as Node's listen({ fd }) reports it. Without `duplicate` the listener owns `fd`
  // once it is opened, and a descriptor that could not be opened is left to its owner, as with
  // Node's handle.open().
  static int CreateOnDescriptor(Environment* environment, uv_os_sock_t fd, bool duplicate,
                                int backlog, std::shared_ptr<StreamSettings> settings, uint64_t* id,
                                const char** syscall);
  // A listener that accepts nothing itself: its connections are accepted by another process and
  // handed over (the cluster primary's round-robin), then adopted (Connection::Adopt). It holds
  // what they share with it (settings, the listener's identity); its handle is a TCP handle with
  // no socket, which is never active and so does not keep the event loop alive.
  static uint64_t CreateForHandedConnections(Environment* environment,
                                             std::shared_ptr<StreamSettings> settings);

  uint64_t id() const { return id_; }
  std::shared_ptr<StreamSettings> shared_settings() const { return settings_; }
  // Shared with the connections accepted: changes apply to those already open (see
  // stream_settings.h).
  StreamSettings& settings() { return *settings_; }
  StreamHandle& handle() { return handle_; }

  // Stops accepting; the listener is freed once libuv has closed the handle.
  void Close();

 private:
  Listener(Environment* environment, std::shared_ptr<StreamSettings> settings, bool local);
  // Opens the handle and binds it; the second half of Create, once per address tried.
  int Open(const char* host, int port, int backlog, const BindOptions& bind, const char** syscall);
  static void OnConnection(uv_stream_t* server, int status);
  static void OnClosed(uv_handle_t* handle);

  Environment* environment_;
  StreamHandle handle_;
  std::shared_ptr<StreamSettings> settings_;
  AsyncResource async_;
  uint64_t id_ = 0;
  bool closing_ = false;
};

}  // namespace uvhttp
