// ParserProbe: drives HttpParser from JS for the fixtures, the differential fuzzer and the
// micro-benchmark. API (stable; see also test/parser/):
//
//   new ParserProbe(type: 'request'|'response',
//                   opts?: {maxHeaderSize?, maxChunkExtensionSize?, lenient?,
//                           lenientFieldValues? /* httpValidation 'relaxed' */, requireHost?,
//                           trailingHtabIsOws?: boolean /* default false: llhttp 9.3's reading */,
//                           scalar?: boolean})
//   probe.execute(buf: Buffer): number          bytes consumed; events are recorded
//   probe.finish(): string | null               error code (HPE_...) or null
//   probe.takeEvents(): Event[]                 recorded events, then cleared
//   probe.error: null | {code, reason, offset, status}   (a getter)
//   probe.paused: boolean                       (a getter)
//   probe.idle: boolean, probe.bytesParsed: number       (getters)
//   probe.resume(); probe.reset();
//   probe.setHeadAction('continue'|'skipBody'|'pause'|'pauseAfterMessage')
//                                               applies to subsequent heads
//
//   Event = {type:'head', method, url, statusCode, reason, versionMajor, versionMinor,
//            headers: string[] (flat name, value, ... latin1), keepAlive, upgrade, chunked,
//            contentLength: number|null}
//         | {type:'body', data: Buffer}   (a copy)
//         | {type:'complete', trailers: string[]}
//
//   parserBench(type, input: Buffer, iterations): number   total nanoseconds
//   llhttpDialect(): {trailingHtabIsOws}        what the server's parsers use on this Node
#include "parser_probe.h"

#include <chrono>
#include <string>
#include <vector>

#include "llhttp_dialect.h"  // native/
#include "parser/http_parser.h"

namespace uvhttp {

namespace {

const char* const kMethodNames[] = {
    "ACL",      "BIND",      "CHECKOUT",  "CONNECT",    "COPY",      "DELETE",   "GET",
    "HEAD",     "LINK",      "LOCK",      "M-SEARCH",   "MERGE",     "MKACTIVITY", "MKCALENDAR",
    "MKCOL",    "MOVE",      "NOTIFY",    "OPTIONS",    "PATCH",     "POST",     "PROPFIND",
    "PROPPATCH", "PURGE",    "PUT",       "QUERY",      "REBIND",    "REPORT",   "SEARCH",
    "SOURCE",   "SUBSCRIBE", "TRACE",     "UNBIND",     "UNLINK",    "UNLOCK",   "UNSUBSCRIBE",
};

struct ProbeEvent {
  enum Kind { kHeadEv, kBodyEv, kCompleteEv } kind;
  int method = -1;
  std::string url, reason, body;
  int status = 0, major = 0, minor = 0;
  std::vector<std::string> fields;  // flat name, value; headers or trailers
  bool keep_alive = false, upgrade = false, chunked = false, has_cl = false;
  uint64_t cl = 0;
};

Napi::String Latin1(Napi::Env env, const std::string& s) {
  // Latin-1 decode: every byte one UTF-16 code unit.
  std::u16string u(s.size(), u'\0');
  for (size_t i = 0; i < s.size(); i++) u[i] = static_cast<unsigned char>(s[i]);
  return Napi::String::New(env, u);
}

class ParserProbe : public Napi::ObjectWrap<ParserProbe>, public HttpParser::Handler {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ParserProbe",
                       {
                           InstanceMethod<&ParserProbe::Execute>("execute"),
                           InstanceMethod<&ParserProbe::Finish>("finish"),
                           InstanceMethod<&ParserProbe::TakeEvents>("takeEvents"),
                           InstanceMethod<&ParserProbe::Resume>("resume"),
                           InstanceMethod<&ParserProbe::ResetM>("reset"),
                           InstanceMethod<&ParserProbe::SetHeadAction>("setHeadAction"),
                           InstanceAccessor<&ParserProbe::GetError>("error"),
                           InstanceAccessor<&ParserProbe::GetPaused>("paused"),
                           InstanceAccessor<&ParserProbe::GetIdle>("idle"),
                           InstanceAccessor<&ParserProbe::GetBytesParsed>("bytesParsed"),
                       });
  }

  explicit ParserProbe(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ParserProbe>(info) {
    Napi::Env env = info.Env();
    HttpParser::Type type = HttpParser::Type::kRequest;
    if (info.Length() > 0 && info[0].IsString()) {
      std::string t = info[0].As<Napi::String>().Utf8Value();
      if (t == "response") type = HttpParser::Type::kResponse;
      else if (t != "request") {
        Napi::TypeError::New(env, "type must be 'request' or 'response'")
            .ThrowAsJavaScriptException();
        return;
      }
    }
    ParserLimits limits;
    bool scalar = false;
    if (info.Length() > 1 && info[1].IsObject()) {
      Napi::Object o = info[1].As<Napi::Object>();
      Napi::Value v = o.Get("maxHeaderSize");
      if (v.IsNumber()) limits.max_header_size = v.As<Napi::Number>().Uint32Value();
      v = o.Get("maxChunkExtensionSize");
      if (v.IsNumber()) limits.max_chunk_extension_size = v.As<Napi::Number>().Uint32Value();
      v = o.Get("lenient");
      if (v.IsBoolean()) limits.lenient = v.As<Napi::Boolean>().Value();
      v = o.Get("lenientFieldValues");
      if (v.IsBoolean()) limits.lenient_field_values = v.As<Napi::Boolean>().Value();
      v = o.Get("requireHost");
      if (v.IsBoolean()) limits.require_host = v.As<Napi::Boolean>().Value();
      v = o.Get("trailingHtabIsOws");
      if (v.IsBoolean()) limits.trailing_htab_is_ows = v.As<Napi::Boolean>().Value();
      v = o.Get("scalar");
      if (v.IsBoolean()) scalar = v.As<Napi::Boolean>().Value();
    }
    is_response_ = type == HttpParser::Type::kResponse;
    parser_ = new HttpParser(type, this, limits);
    parser_->SetScalarScanForTesting(scalar);
  }

  ~ParserProbe() { delete parser_; }

  // HttpParser::Handler
  HeadAction OnHead(const MessageHead& h) override {
    ProbeEvent e;
    e.kind = ProbeEvent::kHeadEv;
    e.method = is_response_ ? -1 : static_cast<int>(h.method);
    e.url.assign(h.url.data, h.url.len);
    e.status = h.status_code;
    e.reason.assign(h.reason.data, h.reason.len);
    e.major = h.http_major;
    e.minor = h.http_minor;
    for (uint32_t i = 0; i < h.header_count; i++) {
      e.fields.emplace_back(h.headers[i].name.data, h.headers[i].name.len);
      e.fields.emplace_back(h.headers[i].value.data, h.headers[i].value.len);
    }
    e.keep_alive = h.keep_alive;
    e.upgrade = h.upgrade;
    e.chunked = h.chunked;
    e.has_cl = h.has_content_length;
    e.cl = h.content_length;
    events_.push_back(std::move(e));
    return action_;
  }
  void OnBody(const char* data, size_t len) override {
    // Consecutive body pieces are merged so events do not depend on how input was split.
    if (!events_.empty() && events_.back().kind == ProbeEvent::kBodyEv && merge_body_) {
      events_.back().body.append(data, len);
      return;
    }
    ProbeEvent e;
    e.kind = ProbeEvent::kBodyEv;
    e.body.assign(data, len);
    events_.push_back(std::move(e));
    merge_body_ = true;
  }
  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override {
    ProbeEvent e;
    e.kind = ProbeEvent::kCompleteEv;
    for (uint32_t i = 0; i < count; i++) {
      e.fields.emplace_back(trailers[i].name.data, trailers[i].name.len);
      e.fields.emplace_back(trailers[i].value.data, trailers[i].value.len);
    }
    events_.push_back(std::move(e));
  }

 private:
  Napi::Value Execute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray()) {
      Napi::TypeError::New(env, "execute(buf: Buffer)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    size_t n = parser_->Execute(reinterpret_cast<const char*>(buf.Data()), buf.ByteLength());
    return Napi::Number::New(env, static_cast<double>(n));
  }
  Napi::Value Finish(const Napi::CallbackInfo& info) {
    ParseError e = parser_->Finish();
    if (e == ParseError::kOk) return info.Env().Null();
    return Napi::String::New(info.Env(), ParseErrorCode(e));
  }
  Napi::Value TakeEvents(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env, events_.size());
    for (size_t i = 0; i < events_.size(); i++) {
      const ProbeEvent& e = events_[i];
      Napi::Object o = Napi::Object::New(env);
      if (e.kind == ProbeEvent::kHeadEv) {
        o.Set("type", "head");
        o.Set("method", e.method >= 0 && e.method < static_cast<int>(Method::kCount)
                            ? kMethodNames[e.method] : "");
        o.Set("url", Latin1(env, e.url));
        o.Set("statusCode", Napi::Number::New(env, e.status));
        o.Set("reason", Latin1(env, e.reason));
        o.Set("versionMajor", Napi::Number::New(env, e.major));
        o.Set("versionMinor", Napi::Number::New(env, e.minor));
        Napi::Array h = Napi::Array::New(env, e.fields.size());
        for (size_t k = 0; k < e.fields.size(); k++) h.Set(k, Latin1(env, e.fields[k]));
        o.Set("headers", h);
        o.Set("keepAlive", Napi::Boolean::New(env, e.keep_alive));
        o.Set("upgrade", Napi::Boolean::New(env, e.upgrade));
        o.Set("chunked", Napi::Boolean::New(env, e.chunked));
        o.Set("contentLength", e.has_cl ? Napi::Number::New(env, static_cast<double>(e.cl))
                                        : env.Null());
      } else if (e.kind == ProbeEvent::kBodyEv) {
        o.Set("type", "body");
        o.Set("data", Napi::Buffer<char>::Copy(env, e.body.data(), e.body.size()));
      } else {
        o.Set("type", "complete");
        Napi::Array t = Napi::Array::New(env, e.fields.size());
        for (size_t k = 0; k < e.fields.size(); k++) t.Set(k, Latin1(env, e.fields[k]));
        o.Set("trailers", t);
      }
      out.Set(i, o);
    }
    events_.clear();
    merge_body_ = false;
    return out;
  }
  void Resume(const Napi::CallbackInfo&) { parser_->Resume(); }
  void ResetM(const Napi::CallbackInfo&) {
    parser_->Reset();
    events_.clear();
    merge_body_ = false;
  }
  void SetHeadAction(const Napi::CallbackInfo& info) {
    std::string a = info.Length() > 0 && info[0].IsString()
                        ? info[0].As<Napi::String>().Utf8Value() : "";
    if (a == "continue") action_ = HeadAction::kContinue;
    else if (a == "skipBody") action_ = HeadAction::kSkipBody;
    else if (a == "pause") action_ = HeadAction::kPause;
    else if (a == "pauseAfterMessage") action_ = HeadAction::kPauseAfterMessage;
    else
      Napi::TypeError::New(info.Env(), "action must be 'continue', 'skipBody' or 'pause'")
          .ThrowAsJavaScriptException();
  }
  Napi::Value GetError(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (parser_->error() == ParseError::kOk) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("code", ParseErrorCode(parser_->error()));
    o.Set("reason", parser_->error_reason());
    o.Set("offset", Napi::Number::New(env, static_cast<double>(parser_->error_offset())));
    o.Set("status", Napi::Number::New(env, parser_->error_status()));
    return o;
  }
  Napi::Value GetPaused(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), parser_->paused());
  }
  Napi::Value GetIdle(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), parser_->idle());
  }
  Napi::Value GetBytesParsed(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(parser_->bytes_parsed()));
  }

  HttpParser* parser_ = nullptr;
  std::vector<ProbeEvent> events_;
  HeadAction action_ = HeadAction::kContinue;
  bool merge_body_ = false;
  bool is_response_ = false;
};

// A handler that touches every field so nothing is optimised away.
class BenchHandler : public HttpParser::Handler {
 public:
  HeadAction OnHead(const MessageHead& h) override {
    uint64_t s = static_cast<uint64_t>(h.method) + h.url.len + h.status_code + h.reason.len +
                 h.http_major + h.http_minor + h.keep_alive + h.upgrade + h.chunked +
                 h.content_length;
    for (uint32_t i = 0; i < h.header_count; i++) {
      s += h.headers[i].name.len + h.headers[i].value.len +
           static_cast<uint8_t>(h.headers[i].name.data[0]);
    }
    sink += s;
    return HeadAction::kContinue;
  }
  void OnBody(const char* data, size_t len) override { sink += len + static_cast<uint8_t>(data[0]); }
  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override {
    sink += count + 1;
    for (uint32_t i = 0; i < count; i++) sink += trailers[i].value.len;
  }
  volatile uint64_t sink = 0;
};

Napi::Value ParserBench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsTypedArray() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "parserBench(type, input: Buffer, iterations)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string t = info[0].As<Napi::String>().Utf8Value();
  HttpParser::Type type = t == "response" ? HttpParser::Type::kResponse : HttpParser::Type::kRequest;
  Napi::Uint8Array buf = info[1].As<Napi::Uint8Array>();
  // Copy so the input is stable and owned for the duration.
  std::string input(reinterpret_cast<const char*>(buf.Data()), buf.ByteLength());
  int64_t iterations = info[2].As<Napi::Number>().Int64Value();
  BenchHandler handler;
  ParserLimits limits;
  HttpParser parser(type, &handler, limits);
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iterations; i++) {
    parser.Reset();
    parser.Execute(input.data(), input.size());
  }
  auto end = std::chrono::steady_clock::now();
  if (parser.error() != ParseError::kOk) {
    Napi::Error::New(env, std::string("parserBench: input does not parse: ") +
                              ParseErrorCode(parser.error()) + " " + parser.error_reason())
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
  return Napi::Number::New(env, ns + static_cast<double>(handler.sink & 0));
}

}  // namespace

Napi::Value LlhttpDialect(const Napi::CallbackInfo& info) {
  ParserLimits limits;
  ApplyLlhttpDialect(info.Env(), &limits);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("trailingHtabIsOws", limits.trailing_htab_is_ows);
  return o;
}

void InitParserProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("ParserProbe", ParserProbe::Define(env));
  exports.Set("parserBench", Napi::Function::New(env, ParserBench, "parserBench"));
  exports.Set("llhttpDialect", Napi::Function::New(env, LlhttpDialect, "llhttpDialect"));
}

}  // namespace uvhttp
