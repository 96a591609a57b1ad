#include "http_stream.h"

#include <utility>

#include "field_names.h"

namespace uvhttp {

HttpStream::HttpStream(Environment* environment, Role role, std::shared_ptr<StreamSettings> settings)
    : environment_(environment),
      role_(role),
      settings_(std::move(settings)),
      parser_(role == Role::kServer ? HttpParser::Type::kRequest : HttpParser::Type::kResponse, this,
              settings_->limits) {}

// The parser's resource ("HTTPINCOMINGMESSAGE", as Node names it on both sides) is a child of
// `parent` (the socket's): handlers run in it, so executionAsyncId() and AsyncLocalStorage see
// one context per connection, and the stores of the frame the socket's was made in (RunIn).
void HttpStream::InitParserResource(const AsyncResource& parent) {
  auto init = [this] { parser_async_.Init(environment_->env(), "HTTPINCOMINGMESSAGE"); };
  environment_->RunIn(parent, init);
}

void HttpStream::ReportParseError(const char* data, size_t len) {
  ReportError(ParseErrorCode(parser_.error()), parser_.error_reason(), parser_.bytes_parsed(), data,
              len, true, parser_.error_status());
}

// Node's codes: HPE_CB_HEADERS_COMPLETE for a 'request' handler that threw, HPE_JS_EXCEPTION
// for a body or end handler; bytesParsed is where the parser was when it happened.
void HttpStream::ReportCallbackError(const char* data, size_t len) {
  ReportError(callback_error_code_, callback_error_reason_, callback_error_offset_, data, len, true,
              400);
}

void HttpStream::ReportError(const char* code, const char* reason, uint64_t bytes_parsed,
                             const char* raw_packet, size_t raw_length, bool has_packet,
                             uint16_t status) {
  // No further input is parsed: the stream ends with the error (a server answers it from JS).
  stopped_ = true;
  receiving_message_ = false;
  StopInput();
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.Utf8(code);
  args.Utf8(reason);
  args.Number(static_cast<double>(bytes_parsed));
  if (has_packet) args.BufferCopy(raw_packet, raw_length);
  else args.Undefined();
  args.Int32(status);
  environment_->Call(parser_async_, environment_->callbacks().on_parse_error, args);
}

void HttpStream::HandlerThrew(const char* code, const char* reason) {
  if (callback_error_code_ != nullptr) return;
  callback_error_code_ = code;
  callback_error_reason_ = reason;
}

bool HttpStream::AfterExecute(const char* data, size_t len, size_t offset) {
  if (parser_.error() != ParseError::kOk) {
    // Node's rawPacket is the whole read the error was found in.
    ReportParseError(data, len);
    return false;
  }
  const char* rest = data + offset;
  const size_t rest_len = len - offset;
  if (callback_error_code_ != nullptr) {
    if (callback_error_offset_ == 0) callback_error_offset_ = parser_.bytes_parsed();
    // Bytes after the message whose handler threw are not parsed; if there are some, they are
    // what Node would have reported the error with.
    if (rest_len > 0) ReportCallbackError(rest, rest_len);
    return false;
  }
  return !stopped_;
}

void HttpStream::AfterInput(uint32_t completed_before) {
  if (handing_off_ && !hand_off_announced_ && !stopped_ && !closing_ && callback_error_code_ == nullptr) {
    AnnounceHandOff();
  }
  if (role_ != Role::kServer || receiving_message_ || stopped_ || callback_error_code_ != nullptr) {
    return;
  }
  if (!parser_.idle() || messages_completed_ == completed_before) {
    // A message began in this input, or the input was only the empty lines allowed before a
    // request line (RFC 9112 §2.2): either way headersTimeout now runs, so padding sent forever
    // cannot hold the connection.
    receiving_message_ = true;
    head_received_ = false;
    message_started_ = LastActive();
  }
}

HeadAction HttpStream::OnHead(const MessageHead& head) {
  if ((closing_ && !draining_read_) || stopped_ || callback_error_code_ != nullptr) return HeadAction::kPause;
  const bool server = role_ == Role::kServer;
  if (server) {
    head_received_ = true;
    if (!receiving_message_) {
      // The message began in this read (a pipelined one after the previous).
      receiving_message_ = true;
      message_started_ = LastActive();
    }
    ++responses_pending_;
  }
  napi_env env = environment_->env();
  HandleScope scope(env);
  uint32_t flags = 0;
  if (head.keep_alive) flags |= kHeadKeepAlive;
  if (head.upgrade) flags |= kHeadUpgrade;
  if (head.chunked) flags |= kHeadChunked;
  // RFC 9112 §6.3: no body by the framing. A response framed by the connection's close, or
  // whose body the client says to skip (HEAD), still ends with on_message_end.
  const uint16_t status = head.status_code;
  const bool no_content = !server && ((status >= 100 && status < 200) || status == 204 || status == 304);
  const bool bodiless =
      no_content || (!head.chunked && (server ? !head.has_content_length || head.content_length == 0
                                              : head.has_content_length && head.content_length == 0));
  if (bodiless) flags |= kHeadComplete;
  message_end_reported_ = bodiless;
  // The fields travel as trailing arguments (JS takes them as a rest parameter): V8 builds that
  // array in one step, where filling an array through N-API costs a call per element.
  JsArguments args(env, environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  if (server) {
    args.Int32(static_cast<int>(head.method));
    args.Latin1(head.url.data, head.url.len);
  } else {
    args.Int32(status);
    args.Latin1(head.reason.data, head.reason.len);
  }
  args.Int32(head.http_major);
  args.Int32(head.http_minor);
  args.Int32(static_cast<int32_t>(flags));
  for (uint32_t i = 0; i < head.header_count; ++i) {
    const HeaderField& field = head.headers[i];
    const int common = FindFieldName(field.name.data, field.name.len);
    if (common >= 0) args.Int32(common);
    else args.Latin1(field.name.data, field.name.len);
    args.Latin1(field.value.data, field.value.len);
  }
  napi_value answer = nullptr;
  switch (environment_->Call(parser_async_, environment_->callbacks().on_head, args, &answer)) {
    case Environment::CallResult::kOk:
      break;
    case Environment::CallResult::kThrew:
      // Node's parser stops here, so bytesParsed is the end of this head. The rest of this
      // message is still read past (and ignored): bytes after it are what the error is reported
      // with (see AfterExecute).
      HandlerThrew("HPE_CB_HEADERS_COMPLETE", "User callback error");
      callback_error_offset_ = head.end_offset;
      parser_.RequestPauseAfterMessage();
      return HeadAction::kContinue;
    case Environment::CallResult::kUnavailable:
      stopped_ = true;
      return HeadAction::kPause;
  }
  int32_t action = kAnswerContinue;
  if (answer != nullptr) napi_get_value_int32(env, answer, &action);
  if (action == kAnswerHandOff) {
    handing_off_ = true;
    return HeadAction::kPause;
  }
  if (action == kAnswerHandOffAfterBody) {
    handing_off_ = true;
    return HeadAction::kPauseAfterMessage;
  }
  if (action == kAnswerSkipBody) return HeadAction::kSkipBody;
  return HeadAction::kContinue;
}

void HttpStream::OnBody(const char* data, size_t len) {
  if ((closing_ && !draining_read_) || stopped_ || callback_error_code_ != nullptr) return;
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.BufferCopy(data, len);
  if (environment_->Call(parser_async_, environment_->callbacks().on_body, args) ==
      Environment::CallResult::kThrew) {
    HandlerThrew("HPE_JS_EXCEPTION", "JS Exception");
    parser_.RequestPauseAfterMessage();
  }
}

void HttpStream::OnMessageComplete(const HeaderField* trailers, uint32_t count) {
  // After a handler threw, the message is not complete as far as the timeouts go (Node's
  // requestTimeout ends such a connection if the peer sends nothing more).
  if (callback_error_code_ != nullptr) return;
  receiving_message_ = false;
  head_received_ = false;
  ++messages_completed_;
  OnMessageReceived();
  // Answers queued past the high-water mark: take no further request until the peer reads.
  if (role_ == Role::kServer && QueuedOutput() >= settings_->output_high_water) {
    parser_.RequestPauseAfterMessage();
  }
  if (message_end_reported_) {
    message_end_reported_ = false;
    return;
  }
  if ((closing_ && !draining_read_) || stopped_) return;
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  if (count > 0) args.FieldArray(trailers, count);
  else args.Undefined();
  if (environment_->Call(parser_async_, environment_->callbacks().on_message_end, args) ==
      Environment::CallResult::kThrew) {
    HandlerThrew("HPE_JS_EXCEPTION", "JS Exception");
  }
}

void HttpStream::CheckRequestTimeouts(uint64_t now) {
  if (role_ != Role::kServer || closing_ || !receiving_message_ || stopped_) return;
  const StreamSettings& settings = *settings_;
  const uint64_t elapsed = now - message_started_;
  if ((!head_received_ && settings.headers_timeout_ms > 0 && elapsed >= settings.headers_timeout_ms) ||
      (settings.request_timeout_ms > 0 && elapsed >= settings.request_timeout_ms)) {
    // Node's ERR_HTTP_REQUEST_TIMEOUT, answered with 408 (RFC 9110 §15.5.9).
    ReportError("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout", parser_.bytes_parsed(), nullptr, 0,
                false, 408);
  }
}

// The head of an upgrade or CONNECT (or of a 101 response) was the last thing parsed: what
// follows belongs to the new protocol, and goes to JS with the hand-off.
void HttpStream::HandOff(const char* rest, size_t len) {
  stopped_ = true;
  receiving_message_ = false;
  StopInput();
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.BufferCopy(rest, len);
  environment_->Call(parser_async_, environment_->callbacks().on_upgrade, args);
}

void HttpStream::AnnounceHandOff() {
  hand_off_announced_ = true;
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  args.Undefined();
  environment_->Call(parser_async_, environment_->callbacks().on_upgrade, args);
}

void HttpStream::EndOfInput(const AsyncResource& resource) {
  StopInput();
  // RFC 9112 §6.3 item 8: a response without framing ends with the connection; Finish()
  // delivers its end. A message cut short is an error. Finish() runs before the stream counts
  // as stopped: OnMessageComplete delivers nothing once it is, and the close-delimited body
  // would never end (the response would look aborted). Only a server reports the error: Node's
  // client ignores what parser.finish() returns (socketOnEnd), and a response cut short is an
  // 'aborted' response or a "socket hang up", never HPE_INVALID_EOF_STATE.
  // Nor is the body of a request being handed over after it (Node 26): Node's parser has the
  // request as upgraded by then, and its finish() reports nothing; the new protocol's stream
  // hears the end.
  if (callback_error_code_ == nullptr && parser_.Finish() != ParseError::kOk && role_ == Role::kServer &&
      !handing_off_) {
    ReportParseError("", 0);
    return;
  }
  stopped_ = true;
  // JS may have closed the connection while the message's end was delivered.
  if (closing_) return;
  Notify(resource, environment_->callbacks().on_end);
}

void HttpStream::Notify(const AsyncResource& resource, const Napi::FunctionReference& callback) {
  HandleScope scope(environment_->env());
  JsArguments args(environment_->env(), environment_->scratch_arguments());
  args.Number(static_cast<double>(id_));
  environment_->Call(resource, callback, args);
}

}  // namespace uvhttp
