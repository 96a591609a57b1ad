#include "writer.h"

#ifndef _WIN32
#include <sys/socket.h>
#include <sys/uio.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace uvhttp {

namespace {
constexpr size_t kMinCapacity = 4096;
// An empty buffer up to this size goes back to the thread's spares; a larger one to the allocator.
constexpr size_t kKeepCapacity = 64 * 1024;
constexpr size_t kMaxSpares = 64;

// Memory of emptied buffers, for the next one that needs some. An idle keep-alive connection
// holds no output memory (issue 10: an idle connection should cost bytes), yet a busy one does
// not pay malloc and free per response: its buffer comes back from here. Per thread, as each
// worker_threads environment runs its loop on its own thread.
struct SpareBuffers {
  struct Spare {
    char* data;
    size_t capacity;
  };
  Spare spares[kMaxSpares];
  size_t count = 0;
  bool open = true;  // false once the thread is exiting: buffers freed after that are freed
  ~SpareBuffers() {
    for (size_t i = 0; i < count; ++i) std::free(spares[i].data);
    count = 0;
    open = false;
  }
};
thread_local SpareBuffers spare_buffers;
// One system call or libuv buffer carries at most this much: results are ints (uv_try_write),
// buffer lengths are 32-bit on Windows, and Linux caps one call near 2 GiB anyway. Longer
// outputs go in several pieces; nothing is truncated.
constexpr size_t kMaxPiece = size_t{1} << 30;
// Buffers per sendmsg: a response is one to three; more wait for the next call.
constexpr size_t kMaxIov = 64;
}  // namespace

char* ByteBuffer::Reserve(size_t n) {
  if (data_ == nullptr && spare_buffers.count > 0) {
    const SpareBuffers::Spare spare = spare_buffers.spares[--spare_buffers.count];
    data_ = spare.data;
    capacity_ = spare.capacity;
  }
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

void ByteBuffer::Release() {
  if (data_ == nullptr) return;
  if (capacity_ <= kKeepCapacity && spare_buffers.open && spare_buffers.count < kMaxSpares) {
    spare_buffers.spares[spare_buffers.count++] = SpareBuffers::Spare{data_, capacity_};
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
}

OutputQueue::~OutputQueue() {
  Release(pending_);
  Release(in_flight_);
}

char* OutputQueue::Reserve(size_t n) { return pending_.copied.Reserve(n); }

void OutputQueue::Commit(size_t n) {
  if (n == 0) return;
  Batch& batch = pending_;
  const size_t offset = batch.copied.size();
  batch.copied.Commit(n);
  batch.bytes += n;
  if (batch.segments.size() > batch.first) {
    Segment& last = batch.segments.back();
    if (last.external == nullptr && last.offset + last.length == offset) {
      last.length += n;
      return;
    }
  }
  batch.segments.push_back(Segment{nullptr, offset, n, nullptr});
}

void OutputQueue::Append(const char* data, size_t n) {
  if (n == 0) return;
  std::memcpy(Reserve(n), data, n);
  Commit(n);
}

void OutputQueue::AppendReference(const char* data, size_t n, napi_ref reference) {
  pending_.segments.push_back(Segment{data, 0, n, reference});
  pending_.bytes += n;
}

size_t OutputQueue::queued(const uv_stream_t* stream) const {
  return pending_.bytes + (writing_ ? uv_stream_get_write_queue_size(stream) : 0);
}

const char* OutputQueue::Base(const Batch& batch, const Segment& segment) const {
  return segment.external != nullptr ? segment.external : batch.copied.data() + segment.offset;
}

void OutputQueue::Consume(Batch& batch, size_t n) {
  batch.bytes -= n;
  while (n > 0) {
    Segment& segment = batch.segments[batch.first];
    if (n < segment.length) {
      if (segment.external != nullptr) segment.external += n;
      else segment.offset += n;
      segment.length -= n;
      return;
    }
    n -= segment.length;
    if (segment.reference != nullptr) napi_delete_reference(env_, segment.reference);
    segment.reference = nullptr;
    batch.first++;
  }
  if (batch.bytes == 0) {
    // The segment list goes too: an idle connection holds no output memory.
    batch.segments.clear();
    batch.segments.shrink_to_fit();
    batch.first = 0;
    batch.copied.Release();
  }
}

void OutputQueue::Release(Batch& batch) {
  for (size_t i = batch.first; i < batch.segments.size(); ++i) {
    if (batch.segments[i].reference != nullptr) napi_delete_reference(env_, batch.segments[i].reference);
  }
  batch.segments.clear();
  batch.segments.shrink_to_fit();
  batch.first = 0;
  batch.bytes = 0;
  batch.copied.Release();
}

void OutputQueue::Discard() { Release(pending_); }

// What uv_try_write does, as sendmsg(2): on a socket it skips the VFS layer of write(2) (file
// position lock, permission hooks). Nothing of ours is queued in libuv when this runs (writing_
// is false), so the bytes cannot overtake a queued write. Returns bytes taken, 0 when the
// kernel is full, or a libuv error. Where send cannot suppress SIGPIPE per call (no
// MSG_NOSIGNAL: macOS, Windows), uv_try_write does the job.
int OutputQueue::TrySend(uv_stream_t* stream) {
  const Batch& batch = pending_;
#ifndef MSG_NOSIGNAL
  uv_buf_t pieces[kMaxIov];
  unsigned count = 0;
  size_t total = 0;
  for (size_t i = batch.first; i < batch.segments.size() && count < kMaxIov && total < kMaxPiece; ++i) {
    const Segment& segment = batch.segments[i];
    const size_t length = std::min(segment.length, kMaxPiece - total);
    pieces[count].base = const_cast<char*>(Base(batch, segment));
    pieces[count].len = static_cast<decltype(pieces[count].len)>(length);
    count++;
    total += length;
  }
  int written = uv_try_write(stream, pieces, count);
  return written == UV_EAGAIN || written == UV_ENOSYS ? 0 : written;
#else
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0) return UV_EBADF;
  ssize_t sent;
  if (batch.segments.size() - batch.first == 1) {
    const Segment& segment = batch.segments[batch.first];
    const char* base = Base(batch, segment);
    const size_t length = std::min(segment.length, kMaxPiece);
    do {
      sent = send(fd, base, length, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
  } else {
    iovec pieces[kMaxIov];
    size_t count = 0;
    size_t total = 0;
    for (size_t i = batch.first; i < batch.segments.size() && count < kMaxIov && total < kMaxPiece; ++i) {
      const Segment& segment = batch.segments[i];
      const size_t length = std::min(segment.length, kMaxPiece - total);
      pieces[count].iov_base = const_cast<char*>(Base(batch, segment));
      pieces[count].iov_len = length;
      count++;
      total += length;
    }
    msghdr message = {};
    message.msg_iov = pieces;
    message.msg_iovlen = count;
    do {
      sent = sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
  }
  if (sent >= 0) return static_cast<int>(sent);
  if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
  return uv_translate_sys_error(errno);
#endif
}

int OutputQueue::Flush(uv_stream_t* stream, bool* progress) {
  if (writing_) return 0;
  // The kernel may take less than a whole call's worth even when it has room (one call sends at
  // most kMaxPiece): try again until it takes nothing.
  while (pending_.bytes > 0) {
    int written = TrySend(stream);
    if (written < 0) return written;
    if (written == 0) break;
    *progress = true;
    Consume(pending_, static_cast<size_t>(written));
  }
  if (pending_.bytes == 0) return 0;
  // The kernel is full: hand the rest to a queued write that keeps its bytes until completion,
  // while JS goes on appending to a fresh pending batch.
  std::swap(in_flight_.segments, pending_.segments);
  std::swap(in_flight_.first, pending_.first);
  std::swap(in_flight_.bytes, pending_.bytes);
  in_flight_.copied.Swap(pending_.copied);
  buffers_.clear();
  for (size_t i = in_flight_.first; i < in_flight_.segments.size(); ++i) {
    const Segment& segment = in_flight_.segments[i];
    const char* base = Base(in_flight_, segment);
    for (size_t done = 0; done < segment.length; done += kMaxPiece) {
      uv_buf_t piece;
      piece.base = const_cast<char*>(base + done);
      piece.len = static_cast<decltype(piece.len)>(std::min(segment.length - done, kMaxPiece));
      buffers_.push_back(piece);
    }
  }
  if (request_ == nullptr) request_.reset(new uv_write_t);
  request_->data = this;
  int err = uv_write(request_.get(), stream, buffers_.data(), static_cast<unsigned>(buffers_.size()), OnWrite);
  if (err != 0) {
    Release(in_flight_);
    return err;
  }
  writing_ = true;
  return 0;
}

void OutputQueue::OnWrite(uv_write_t* req, int status) {
  OutputQueue* self = static_cast<OutputQueue*>(req->data);
  self->writing_ = false;
  self->Release(self->in_flight_);
  self->buffers_.clear();
  self->buffers_.shrink_to_fit();
  self->done_(self->owner_, status);
}

}  // namespace uvhttp
