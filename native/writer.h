// The outgoing side of a connection. What JS queues while a read is being handled is gathered
// and sent with one sendmsg(2) (DESIGN: "one write per response"; uWebSockets' cork buffer, Node's
// head riding with the first chunk); whatever the kernel does not take goes to one queued
// uv_write. Heads, framing and strings are copied into the queue; large bodies are referenced,
// not copied (DESIGN: "Bytes the user gave us are referenced until written"): a cached 8 MB
// Buffer sent to many slow clients is one buffer.
#pragma once

#include <node_api.h>
#include <uv.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <vector>

namespace uvhttp {

// A growable byte buffer without zero-filling (std::string would clear what we overwrite).
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer() { Release(); }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // Space for at least n more bytes; write into it, then Commit what was written.
  char* Reserve(size_t n);
  void Commit(size_t n) { size_ += n; }
  void Append(const char* data, size_t n);
  void Consume(size_t n);  // drop n bytes from the front
  void Clear() { size_ = 0; }
  void Swap(ByteBuffer& other);
  // Empties the buffer and lets its memory go (to the thread's spares, which the next Reserve of
  // an empty buffer takes from): an idle connection holds none, and one large head or body does
  // not pin memory for the connection's whole life.
  void Release();

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

  // Bodies at least this long are referenced rather than copied: below it a copy costs less
  // than a reference (and keeps the gathered write in one piece).
  static constexpr size_t kReferenceThreshold = 16 * 1024;

  OutputQueue(napi_env env, void* owner, DoneCallback done) : env_(env), owner_(owner), done_(done) {}
  ~OutputQueue();
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;

  // Copied bytes: reserve room at the end of the queue, write, commit what was written.
  char* Reserve(size_t n);
  void Commit(size_t n);
  void Append(const char* data, size_t n);
  // Bytes owned by a JS value, which `reference` keeps alive until they are written.
  void AppendReference(const char* data, size_t n, napi_ref reference);

  // Bytes JS has queued that the kernel has not yet taken (libuv's count for the queued write,
  // which shrinks as the peer reads).
  size_t queued(const uv_stream_t* stream) const;
  bool idle() const { return pending_.bytes == 0 && !writing_; }
  bool writing() const { return writing_; }

  // Sends what is pending. Returns 0 or a libuv error; on success everything is either written
  // or owned by an in-flight uv_write whose completion reaches DoneCallback. `*progress` is set
  // when the kernel took bytes.
  int Flush(uv_stream_t* stream, bool* progress);

  // Drops everything queued and releases the references (the connection is closing).
  void Discard();

 private:
  // A run of bytes to send: a range of the batch's copied bytes, or a referenced JS buffer.
  struct Segment {
    const char* external;  // nullptr for copied bytes
    size_t offset;         // copied bytes: where they start in the batch's buffer
    size_t length;
    napi_ref reference;
  };
  // What one write carries: copied bytes and the segments that say in which order they go.
  struct Batch {
    ByteBuffer copied;
    std::vector<Segment> segments;
    size_t first = 0;   // segments before it are sent
    size_t bytes = 0;   // not yet sent
  };

  int TrySend(uv_stream_t* stream);
  void Consume(Batch& batch, size_t n);
  void Release(Batch& batch);
  const char* Base(const Batch& batch, const Segment& segment) const;
  static void OnWrite(uv_write_t* req, int status);

  napi_env env_;
  void* owner_;
  DoneCallback done_;
  Batch pending_;
  Batch in_flight_;
  std::vector<uv_buf_t> buffers_;
  // The queued write, made the first time the kernel did not take everything (most
  // connections never need one: their answers leave in one sendmsg), then kept.
  std::unique_ptr<uv_write_t> request_;
  bool writing_ = false;
};

}  // namespace uvhttp
