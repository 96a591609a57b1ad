#include "writer.h"

#include <cstring>
#include <utility>

namespace uvhttp {

namespace {
constexpr size_t kMinCapacity = 4096;
constexpr size_t kKeepCapacity = 64 * 1024;
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

int OutputQueue::Flush(uv_stream_t* stream) {
  if (writing_ || pending_.empty()) return 0;
  uv_buf_t buf = uv_buf_init(pending_.data(), static_cast<unsigned>(pending_.size()));
  int written = uv_try_write(stream, &buf, 1);
  if (written == UV_EAGAIN || written == UV_ENOSYS) written = 0;
  if (written < 0) return written;
  pending_.Consume(static_cast<size_t>(written));
  if (pending_.empty()) {
    pending_.Shrink();
    return 0;
  }
  // The kernel is full: hand the rest to a queued write that owns its bytes until completion,
  // while JS goes on appending to a fresh pending buffer.
  in_flight_.Swap(pending_);
  buf = uv_buf_init(in_flight_.data(), static_cast<unsigned>(in_flight_.size()));
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
