// The outgoing side of a connection: bytes queued by JS are gathered into one buffer and sent
// with send(2) first, a queued uv_write for whatever the kernel did not take (DESIGN:
// "one write per response"; uWebSockets' cork buffer, Node's head riding with the first chunk).
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdlib>

namespace uvhttp {

// A growable byte buffer without zero-filling (std::string would clear what we overwrite).
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer() { std::free(data_); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // Space for at least n more bytes; write into it, then Commit what was written.
  char* Reserve(size_t n);
  void Commit(size_t n) { size_ += n; }
  void Append(const char* data, size_t n);
  void Consume(size_t n);  // drop n bytes from the front
  void Clear() { size_ = 0; }
  void Swap(ByteBuffer& other);
  // Returns the memory to the allocator when the buffer grew large and is now empty, so one
  // large response does not pin memory for the connection's whole life.
  void Shrink();

  char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

class OutputQueue {
 public:
  // What the owner is told when a queued write completes.
  using DoneCallback = void (*)(void* owner, int status);

  OutputQueue(void* owner, DoneCallback done) : owner_(owner), done_(done) {}
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;

  ByteBuffer& pending() { return pending_; }

  // Bytes JS has queued that the kernel has not yet taken.
  size_t queued() const { return pending_.size() + in_flight_.size(); }
  bool idle() const { return pending_.empty() && !writing_; }
  bool writing() const { return writing_; }

  // Sends what is pending. Returns 0 or a libuv error; on success everything is either written
  // or owned by an in-flight uv_write whose completion reaches DoneCallback.
  int Flush(uv_stream_t* stream);

 private:
  int TrySend(uv_stream_t* stream);
  static void OnWrite(uv_write_t* req, int status);

  void* owner_;
  DoneCallback done_;
  ByteBuffer pending_;
  ByteBuffer in_flight_;
  uv_write_t request_;
  bool writing_ = false;
};

}  // namespace uvhttp
