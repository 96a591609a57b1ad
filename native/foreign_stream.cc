#include "foreign_stream.h"

#include <utility>

namespace uvhttp {

ForeignStream* ForeignStream::Create(Environment* environment, Role role,
                                     std::shared_ptr<StreamSettings> settings) {
  ForeignStream* self = new ForeignStream(environment, role, std::move(settings));
  self->id_ = environment->streams().Add(self);
  self->parser_async_.Init(environment->env(), "HTTPINCOMINGMESSAGE");
  if (role == Role::kServer) {
    environment->CheckRequestsEvery(self->settings_->connections_checking_interval_ms);
    // As for an accepted connection, headersTimeout runs from the start.
    self->receiving_message_ = true;
    self->message_started_ = self->LastActive();
  }
  return self;
}

uint64_t ForeignStream::LastActive() const { return uv_now(environment_->loop()); }

size_t ForeignStream::Execute(const char* data, size_t len) {
  if (closing_ || stopped_) return 0;
  ++depth_;
  if (callback_error_code_ != nullptr) {
    ReportCallbackError(data, len);
    Leave();
    return 0;
  }
  const uint32_t completed_before = messages_completed_;
  size_t offset = 0;
  for (;;) {
    offset += parser_.Execute(data + offset, len - offset);
    if (closing_) break;
    if (!AfterExecute(data, len, offset)) break;
    if (!parser_.paused()) break;
    if (handing_off_) {
      HandOff(data + offset, len - offset);
      break;
    }
    // A pause between messages asked for by the output check (never for a foreign stream,
    // whose output JS watches) or by a handler: go on.
    parser_.Resume();
  }
  if (!closing_) AfterInput(completed_before);
  Leave();
  return offset;
}

void ForeignStream::Finish() {
  if (closing_ || stopped_) return;
  ++depth_;
  EndOfInput(parser_async_);
  Leave();
}

void ForeignStream::Leave() {
  if (--depth_ == 0 && closing_) delete this;
}

void ForeignStream::Destroy() {
  if (closing_) return;
  closing_ = true;
  environment_->streams().Remove(id_);
  parser_async_.Destroy(environment_->env());
  if (depth_ == 0) delete this;
}

}  // namespace uvhttp
