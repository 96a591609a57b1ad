// One HTTP/1.x byte stream as the parser and JS see it, whichever end we are and whoever owns
// the bytes (DESIGN: "Two sides, one core"). The role decides the parser's mode and what a head
// means: a server parses requests (method index and url cross into JS), a client responses
// (status code and reason). The stream's bytes come from a native connection (connection.h:
// accepted or connected by libuv) or are fed from JS for a socket we do not own
// (foreign_stream.h: a TLS socket, a proxy tunnel, any Duplex). Both report to JS through the
// same callbacks with the stream's id, so the JS code above them is one.
#pragma once

#include <cstdint>
#include <memory>

#include "environment.h"
#include "js_call.h"
#include "parser/http_parser.h"
#include "stream_settings.h"

namespace uvhttp {

class Connection;

enum class Role : uint8_t { kServer, kClient };

// on_head(id, method index | status code, url | reason, major, minor, flags, ...[name, value]
// pairs); a common name comes as its index in the fieldNames list (field_names.h).
constexpr size_t kHeadFixedArguments = 6;

// Bits of the `flags` argument of on_head (lib/binding.ts has the same).
enum HeadFlags : uint32_t {
  kHeadKeepAlive = 1 << 0,
  kHeadUpgrade = 1 << 1,
  kHeadChunked = 1 << 2,
  // The message has no body: on_message_end will not follow for it.
  kHeadComplete = 1 << 3,
};

// What on_head's JS handler returns (lib/binding.ts has the same).
enum HeadAnswer : int32_t {
  kAnswerContinue = 0,
  // No body follows this head whatever its framing says: a response to HEAD, a 1xx.
  kAnswerSkipBody = 1,
  // JS takes the stream for another protocol (upgrade, CONNECT): stop right after the head.
  kAnswerHandOff = 2,
  // JS takes the stream for another protocol once the request's body has arrived (Node 26):
  // the body goes to the request, and the hand-off is at the end of the message.
  kAnswerHandOffAfterBody = 3,
};

class HttpStream : public HttpParser::Handler {
 public:
  virtual ~HttpStream() = default;
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  uint64_t id() const { return id_; }
  Role role() const { return role_; }
  // The native connection this stream is, if it is one.
  virtual Connection* AsConnection() { return nullptr; }

  // Whether a message is arriving, as Node's connections list sees it (closeIdleConnections
  // leaves such connections open): 0 none (between messages), 1 none yet, nothing read since the
  // accept, 2 one has begun (or the accept, then a byte).
  int MessageUnderway() const {
    if (!receiving_message_) return 0;
    return messages_completed_ == 0 && parser_.bytes_parsed() == 0 ? 1 : 2;
  }

  // New parser limits from the next message on (a client's request sets its own).
  void SetLimits(const ParserLimits& limits) { parser_.SetLimits(limits); }
  const ParserLimits& limits() const { return parser_.limits(); }
  // Node's headersTimeout and requestTimeout (servers), checked every connectionsCheckingInterval
  // (Environment::OnSweep).
  void CheckRequestTimeouts(uint64_t now);
  // The idle timer this stream asked for at `due` came up (IdleTimers); `now` is the loop time.
  virtual void OnIdleDue(uint64_t due, uint64_t now) {}
  // The stream is gone for good: no further call into JS for it.
  virtual void Destroy() = 0;

  // HttpParser::Handler
  HeadAction OnHead(const MessageHead& head) override;
  void OnBody(const char* data, size_t len) override;
  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override;

 protected:
  HttpStream(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings);

  // Bytes queued for the peer and not yet taken: over the high-water mark a server takes no
  // further request until the peer reads.
  virtual size_t QueuedOutput() const = 0;
  // No further input will be parsed (an error, a hand-off, JS unable to run).
  virtual void StopInput() = 0;
  // The time of the read being parsed (a native connection's clock; JS-fed streams use now).
  virtual uint64_t LastActive() const = 0;
  // A request was received whole: between requests a server's idle bound is the keep-alive
  // timeout, so a native connection looks again at when it is due.
  virtual void OnMessageReceived() {}

  // What the parser did with the input (`len` bytes, `offset` consumed so far): called after
  // each Execute. Returns true when parsing may go on with the rest of the input.
  bool AfterExecute(const char* data, size_t len, size_t offset);
  // Once the input in hand is parsed: starts the request clock where a message (or the padding
  // before one) began.
  void AfterInput(uint32_t completed_before);
  void ReportParseError(const char* data, size_t len);
  // A handler threw while the parser was delivering a message (see OnHead).
  void ReportCallbackError(const char* data, size_t len);
  void ReportError(const char* code, const char* reason, uint64_t bytes_parsed,
                   const char* raw_packet, size_t raw_length, bool has_packet, uint16_t status);
  void HandOff(const char* rest, size_t len);
  // A read ended inside the body of a request being handed over after it (Node 26): JS hears
  // it once, to hand over a stream that starts after the body (on_upgrade without bytes).
  void AnnounceHandOff();
  // The peer closed its side: completes a close-delimited message, then on_end (in `resource`'s
  // context).
  void EndOfInput(const AsyncResource& resource);
  void Notify(const AsyncResource& resource, const Napi::FunctionReference& callback);
  void InitParserResource(const AsyncResource& parent);

  Environment* environment_;
  uint64_t id_ = 0;
  Role role_;
  std::shared_ptr<StreamSettings> settings_;
  HttpParser parser_;
  AsyncResource parser_async_;
  // Requests whose responses have not ended (servers).
  uint32_t responses_pending_ = 0;
  // When the message now arriving started (its first byte, padding included, or the accept),
  // and how far it has come: Node's headersTimeout and requestTimeout run from there.
  uint64_t message_started_ = 0;
  bool receiving_message_ = false;
  bool head_received_ = false;
  uint32_t messages_completed_ = 0;
  // A handler threw while the parser was delivering a message: no further input is parsed, and
  // the error is reported (as Node's 'clientError') when the next bytes are there.
  const char* callback_error_code_ = nullptr;
  const char* callback_error_reason_ = nullptr;
  uint64_t callback_error_offset_ = 0;
  // No further input will be parsed: a parse error, a hand-off, or JS unable to run.
  bool stopped_ = false;
  // A client's read is being parsed: its events are delivered even if JS destroys the socket
  // meanwhile (Node's socketOnData finishes parser.execute() of the read after a destroy()).
  bool draining_read_ = false;
  bool handing_off_ = false;
  bool hand_off_announced_ = false;
  bool closing_ = false;
  bool message_end_reported_ = false;

 private:
  void HandlerThrew(const char* code, const char* reason);
};

}  // namespace uvhttp
