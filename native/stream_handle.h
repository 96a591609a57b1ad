// A libuv stream that is either a TCP socket or a local (Unix domain) socket: listeners and
// connections use one type and ask which it is only where TCP and local sockets differ
// (addresses, no-delay, keep-alive).
#pragma once

#include <uv.h>

namespace uvhttp {

union StreamHandle {
  uv_handle_t handle;
  uv_stream_t stream;
  uv_tcp_t tcp;
  uv_pipe_t pipe;
};

inline bool IsTcp(const StreamHandle& handle) { return handle.handle.type == UV_TCP; }

// Opens `handle` as the same kind of stream as `like` (for accepting on a listener).
inline void InitLike(uv_loop_t* loop, const uv_stream_t* like, StreamHandle* handle) {
  if (like->type == UV_NAMED_PIPE) {
    uv_pipe_init(loop, &handle->pipe, 0);
  } else {
    uv_tcp_init(loop, &handle->tcp);
  }
}

}  // namespace uvhttp
