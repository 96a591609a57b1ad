// The parser for a socket we do not own (DESIGN: "Outgoing messages write through a sink ... in
// which case the same parser is fed from JS"): a TLS socket or a proxy tunnel a client's
// createConnection returned, or any Duplex given to a server with emit('connection'). JS reads
// the stream and feeds the bytes here; the events reach JS exactly as a native connection's do,
// with this stream's id, so ClientRequest, ServerResponse and IncomingMessage run unchanged on
// top. Writes go from JS to the stream directly.
#pragma once

#include <cstdint>
#include <memory>

#include "http_stream.h"

namespace uvhttp {

class ForeignStream final : public HttpStream {
 public:
  // Called from JS: the parser's async resource is a child of the caller's context.
  static ForeignStream* Create(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings);

  // Parses bytes read from the stream. Returns the bytes consumed: all, or fewer when parsing
  // stopped (an error, reported; a hand-off, whose rest went to on_upgrade; a handler that
  // threw). Events for the messages in them are delivered before it returns.
  size_t Execute(const char* data, size_t len);
  // The stream ended (its 'end'): completes a close-delimited message, then on_end.
  void Finish();
  // Frees the stream; its id finds nothing from now on.
  void Destroy() override;

 private:
  ForeignStream(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings)
      : HttpStream(environment, role, std::move(settings)) {}
  ~ForeignStream() override = default;

  // HttpStream: the stream's output and reading are JS's business.
  size_t QueuedOutput() const override { return 0; }
  void StopInput() override {}
  uint64_t LastActive() const override;
  // Deletes the stream if it was destroyed while JS was being called from inside it.
  void Leave();

  // JS may destroy the stream from a handler called while it parses: the object then outlives
  // the call, and goes when the call returns.
  int depth_ = 0;
};

}  // namespace uvhttp
