// A listening TCP socket and its accept loop.
#pragma once

#include <uv.h>

#include <cstdint>

#include "environment.h"
#include "parser/http_parser.h"
#include "stream_handle.h"

namespace uvhttp {

class Listener {
 public:
  // Binds and listens on an IP literal (JS resolves names first). An empty host means every
  // address: "::" with IPv4 mapped in, or "0.0.0.0" where IPv6 is unavailable, as Node does.
  // Returns 0 and the new listener's id, or a libuv error and the syscall that failed.
  struct Options {
    ParserLimits limits;
    uint64_t headers_timeout_ms = 0;
    uint64_t request_timeout_ms = 0;
    uint64_t keep_alive_timeout_ms = 0;
  };

  static int Create(Environment* environment, const char* host, int port, int backlog,
                    const Options& options, uint64_t* id, const char** syscall);
  // Listens on a local (Unix domain) socket at `path`.
  static int CreateLocal(Environment* environment, const char* path, int backlog,
                         const Options& options, uint64_t* id, const char** syscall);

  uint64_t id() const { return id_; }
  // For connections accepted from now on (server.keepAliveTimeout changed).
  void set_keep_alive_timeout(uint64_t milliseconds) { options_.keep_alive_timeout_ms = milliseconds; }
  StreamHandle& handle() { return handle_; }

  // Stops accepting; the listener is freed once libuv has closed the handle.
  void Close();

 private:
  Listener(Environment* environment, const Options& options, bool local);
  // Opens the handle and binds it; the second half of Create, once per address tried.
  int Open(const char* host, int port, int backlog, const char** syscall);
  static void OnConnection(uv_stream_t* server, int status);
  static void OnClosed(uv_handle_t* handle);

  Environment* environment_;
  StreamHandle handle_;
  Options options_;
  uint64_t id_ = 0;
  bool closing_ = false;
};

}  // namespace uvhttp
