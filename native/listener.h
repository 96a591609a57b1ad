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

class Listener {
 public:
  // Binds and listens on an IP literal (JS resolves names first). An empty host means every
  // address: "::" with IPv4 mapped in, or "0.0.0.0" where IPv6 is unavailable, as Node does.
  // Returns 0 and the new listener's id, or a libuv error and the syscall that failed. Called
  // from JS: the listener's async resource ("TCPSERVERWRAP") is a child of the caller's context,
  // so the AsyncLocalStorage store active at listen() reaches the connections' handlers.
  static int Create(Environment* environment, const char* host, int port, int backlog,
                    std::shared_ptr<StreamSettings> settings, uint64_t* id, const char** syscall);
  // Listens on a local (Unix domain) socket at `path`.
  static int CreateLocal(Environment* environment, const char* path, int backlog,
                         std::shared_ptr<StreamSettings> settings, uint64_t* id, const char** syscall);

  uint64_t id() const { return id_; }
  StreamHandle& handle() { return handle_; }

  // Stops accepting; the listener is freed once libuv has closed the handle.
  void Close();

 private:
  Listener(Environment* environment, std::shared_ptr<StreamSettings> settings, bool local);
  // Opens the handle and binds it; the second half of Create, once per address tried.
  int Open(const char* host, int port, int backlog, const char** syscall);
  static void OnConnection(uv_stream_t* server, int status);
  static void OnClosed(uv_handle_t* handle);

  Environment* environment_;
  StreamHandle handle_;
  // The server's: shared with every connection it accepts (stream_settings.h).
  std::shared_ptr<StreamSettings> settings_;
  AsyncResource async_;
  uint64_t id_ = 0;
  bool closing_ = false;
};

}  // namespace uvhttp
