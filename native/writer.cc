#include "writer.h"

#ifndef _WIN32
#include <sys/socket.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace uvhttp {

namespace {
constexpr size_t kMinCapacity = 4096;
constexpr size_t kKeepCapacity = 64 * 1024;
// The result is an int, as uv_try_write's: larger outputs go in several sends.
constexpr size_t kMaxSend = 1 << 30;
}  // namespace

char* ByteBuffer::Reserve(size_t n) {
  if (capacity_ - size_ < n) {
    size_t capacity = capacity_ < kMinCapacity ? kMinCapacity : capacity_;
    while (capacity - size_ < n) capacity *= 2;
    char* grown = static_cast<char*>(std::realloc(data_, capacity));
    if (grown == nullptr) std::abort();  // out of memory: nothing sensible to do
    data_ = grown;
    capacity_ = capacity;
  }
  return data_ + size_;
}

void ByteBuffer::Append(const char* data, size_t n) {
  if (n == 0) return;
  std::memcpy(Reserve(n), data, n);
  size_ += n;
}

void ByteBuffer::Consume(size_t n) {
  if (n >= size_) {
    size_ = 0;
    return;
  }
  std::memmove(data_, data_ + n, size_ - n);
  size_ -= n;
}

void ByteBuffer::Swap(ByteBuffer& other) {
  std::swap(data_, other.data_);
  std::swap(size_, other.size_);
  std::swap(capacity_, other.capacity_);
}

void ByteBuffer::Shrink() {
  if (size_ == 0 && capacity_ > kKeepCapacity) {
    std::free(data_);
    data_ = nullptr;
    capacity_ = 0;
  }
}

// What uv_try_write does, as send(2): on a socket it skips the VFS layer of write(2) (file
// position lock, permission hooks). Nothing of ours is queued in libuv when this runs (writing_
// is false), so the bytes cannot overtake a queued write. Returns bytes taken, 0 when the
// kernel is full, or a libuv error. Where send cannot suppress SIGPIPE per call (no
// MSG_NOSIGNAL: macOS, Windows), uv_try_write does the job.
int OutputQueue::TrySend(uv_stream_t* stream) {
#ifndef MSG_NOSIGNAL
  uv_buf_t buf =
      uv_buf_init(pending_.data(), static_cast<unsigned>(std::min(pending_.size(), kMaxSend)));
  int written = uv_try_write(stream, &buf, 1);
  return written == UV_EAGAIN || written == UV_ENOSYS ? 0 : written;
#else
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0) return UV_EBADF;
  ssize_t sent;
  do {
    sent = send(fd, pending_.data(), std::min(pending_.size(), kMaxSend),
                MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) return static_cast<int>(sent);
  if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
  return uv_translate_sys_error(errno);
#endif
}

int OutputQueue::Flush(uv_stream_t* stream) {
  if (writing_ || pending_.empty()) return 0;
  int written = TrySend(stream);
  if (written < 0) return written;
  pending_.Consume(static_cast<size_t>(written));
  if (pending_.empty()) {
    pending_.Shrink();
    return 0;
  }
  // The kernel is full: hand the rest to a queued write that owns its bytes until completion,
  // while JS goes on appending to a fresh pending buffer.
  in_flight_.Swap(pending_);
  uv_buf_t buf = uv_buf_init(in_flight_.data(), static_cast<unsigned>(in_flight_.size()));
  request_.data = this;
  int err = uv_write(&request_, stream, &buf, 1, OnWrite);
  if (err != 0) {
    in_flight_.Swap(pending_);
    return err;
  }
  writing_ = true;
  return 0;
}

void OutputQueue::OnWrite(uv_write_t* req, int status) {
  OutputQueue* self = static_cast<OutputQueue*>(req->data);
  self->writing_ = false;
  self->in_flight_.Clear();
  self->in_flight_.Shrink();
  self->done_(self->owner_, status);
}

}  // namespace uvhttp
