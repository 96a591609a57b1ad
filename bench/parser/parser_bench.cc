// Parser micro-benchmark addon: our HttpParser and Node's own llhttp, each in one tight C++
// loop over the same input, with handlers that do the same work (read every span handed to them).
//
// llhttp is not linked in: the node binary exports its C API (llhttp_init, llhttp_execute, ...),
// and the symbols resolve when node loads this addon. No llhttp.h is installed, so the few
// declarations needed are written here for llhttp 9.x (Node 20 bundles 9.3): the settings
// struct's layout is checked at run time against llhttp_settings_init, and the parser struct is
// over-allocated and zeroed.
#include <node_api.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "../../native/parser/http_parser.h"

extern "C" {
struct llhttp_opaque;  // llhttp__internal_t: about 80 bytes in 9.x; we give it 1 KiB
typedef int (*llhttp_data_cb)(llhttp_opaque*, const char* at, size_t length);
typedef int (*llhttp_cb)(llhttp_opaque*);
struct llhttp_settings_93 {
  llhttp_cb on_message_begin;
  llhttp_data_cb on_protocol;
  llhttp_data_cb on_url;
  llhttp_data_cb on_status;
  llhttp_data_cb on_method;
  llhttp_data_cb on_version;
  llhttp_data_cb on_header_field;
  llhttp_data_cb on_header_value;
  llhttp_data_cb on_chunk_extension_name;
  llhttp_data_cb on_chunk_extension_value;
  llhttp_cb on_headers_complete;
  llhttp_data_cb on_body;
  llhttp_cb on_message_complete;
  llhttp_cb on_protocol_complete;
  llhttp_cb on_url_complete;
  llhttp_cb on_status_complete;
  llhttp_cb on_method_complete;
  llhttp_cb on_version_complete;
  llhttp_cb on_header_field_complete;
  llhttp_cb on_header_value_complete;
  llhttp_cb on_chunk_extension_name_complete;
  llhttp_cb on_chunk_extension_value_complete;
  llhttp_cb on_chunk_header;
  llhttp_cb on_chunk_complete;
  llhttp_cb on_reset;
};
void llhttp_init(llhttp_opaque* parser, int type, const llhttp_settings_93* settings);
void llhttp_settings_init(llhttp_settings_93* settings);
int llhttp_execute(llhttp_opaque* parser, const char* data, size_t len);
const char* llhttp_errno_name(int err);
}

namespace {

constexpr int kLlhttpRequest = 1;
constexpr int kLlhttpResponse = 2;

// The work both handlers do: count messages and bytes, read the first and last byte of every
// span (so that the data is really touched, not just the pointers).
struct Sink {
  uint64_t messages = 0;
  uint64_t heads = 0;
  uint64_t bytes = 0;
  uint64_t mix = 0;
  void Touch(const char* p, size_t n) {
    bytes += n;
    if (n) mix += static_cast<uint8_t>(p[0]) + static_cast<uint8_t>(p[n - 1]);
  }
};

Sink g_sink;  // llhttp callbacks reach it without touching the parser struct's layout

int LlData(llhttp_opaque*, const char* at, size_t len) {
  g_sink.Touch(at, len);
  return 0;
}
int LlHeadersComplete(llhttp_opaque*) {
  g_sink.heads++;
  return 0;
}
int LlMessageComplete(llhttp_opaque*) {
  g_sink.messages++;
  return 0;
}

bool SettingsLayoutOk() {
  // llhttp_settings_init zeroes exactly sizeof(llhttp_settings_t): the bytes it clears tell its size.
  unsigned char buf[sizeof(llhttp_settings_93) + 64];
  memset(buf, 0xAB, sizeof buf);
  llhttp_settings_init(reinterpret_cast<llhttp_settings_93*>(buf));
  size_t zeroed = 0;
  while (zeroed < sizeof buf && buf[zeroed] == 0) zeroed++;
  return zeroed == sizeof(llhttp_settings_93);
}

class OurSink final : public uvhttp::HttpParser::Handler {
 public:
  uvhttp::HeadAction OnHead(const uvhttp::MessageHead& head) override {
    g_sink.heads++;
    g_sink.Touch(head.method_name.data, head.method_name.len);
    g_sink.Touch(head.url.data, head.url.len);
    g_sink.Touch(head.reason.data, head.reason.len);
    for (uint32_t i = 0; i < head.header_count; i++) {
      g_sink.Touch(head.headers[i].name.data, head.headers[i].name.len);
      g_sink.Touch(head.headers[i].value.data, head.headers[i].value.len);
    }
    return uvhttp::HeadAction::kContinue;
  }
  void OnBody(const char* data, size_t len) override { g_sink.Touch(data, len); }
  void OnMessageComplete(const uvhttp::HeaderField* trailers, uint32_t count) override {
    for (uint32_t i = 0; i < count; i++) {
      g_sink.Touch(trailers[i].name.data, trailers[i].name.len);
      g_sink.Touch(trailers[i].value.data, trailers[i].value.len);
    }
    g_sink.messages++;
  }
};

struct RunResult {
  double ns;
  std::string error;
};

RunResult RunOurs(bool response, const char* data, size_t len, uint32_t iterations) {
  OurSink sink;
  uvhttp::ParserLimits limits;
  limits.max_header_size = 64 * 1024;
  uvhttp::HttpParser parser(
      response ? uvhttp::HttpParser::Type::kResponse : uvhttp::HttpParser::Type::kRequest, &sink, limits);
  auto t0 = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < iterations; i++) {
    size_t n = parser.Execute(data, len);
    if (n != len || parser.error() != uvhttp::ParseError::kOk) {
      return {0, std::string("ours: ") + uvhttp::ParseErrorCode(parser.error()) + ": " + parser.error_reason()};
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  return {std::chrono::duration<double, std::nano>(t1 - t0).count(), ""};
}

RunResult RunLlhttp(bool response, const char* data, size_t len, uint32_t iterations) {
  static llhttp_settings_93 settings;
  llhttp_settings_init(&settings);
  settings.on_url = LlData;
  settings.on_status = LlData;
  settings.on_method = LlData;
  settings.on_header_field = LlData;
  settings.on_header_value = LlData;
  settings.on_body = LlData;
  settings.on_headers_complete = LlHeadersComplete;
  settings.on_message_complete = LlMessageComplete;
  alignas(16) static unsigned char storage[1024];
  memset(storage, 0, sizeof storage);
  auto* parser = reinterpret_cast<llhttp_opaque*>(storage);
  llhttp_init(parser, response ? kLlhttpResponse : kLlhttpRequest, &settings);
  auto t0 = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < iterations; i++) {
    int err = llhttp_execute(parser, data, len);
    if (err != 0) return {0, std::string("llhttp: ") + llhttp_errno_name(err)};
  }
  auto t1 = std::chrono::steady_clock::now();
  return {std::chrono::duration<double, std::nano>(t1 - t0).count(), ""};
}

napi_value Throw(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

// run(which: 'ours'|'llhttp', type: 'request'|'response', input: Buffer, iterations: number)
//   -> { ns, messages, heads, bytes }
napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 4) return Throw(env, "run(which, type, input, iterations)");
  char which[16] = {0}, type[16] = {0};
  size_t got;
  napi_get_value_string_utf8(env, argv[0], which, sizeof which, &got);
  napi_get_value_string_utf8(env, argv[1], type, sizeof type, &got);
  void* data;
  size_t len;
  if (napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) return Throw(env, "input must be a Buffer");
  uint32_t iterations;
  napi_get_value_uint32(env, argv[3], &iterations);
  bool response = strcmp(type, "response") == 0;

  g_sink = Sink();
  RunResult r;
  if (strcmp(which, "ours") == 0) {
    r = RunOurs(response, static_cast<const char*>(data), len, iterations);
  } else if (strcmp(which, "llhttp") == 0) {
    if (!SettingsLayoutOk()) return Throw(env, "llhttp_settings_t layout is not the one declared (not llhttp 9.x?)");
    r = RunLlhttp(response, static_cast<const char*>(data), len, iterations);
  } else {
    return Throw(env, "which must be 'ours' or 'llhttp'");
  }
  if (!r.error.empty()) return Throw(env, r.error);

  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_double(env, r.ns, &v);
  napi_set_named_property(env, out, "ns", v);
  napi_create_double(env, static_cast<double>(g_sink.messages), &v);
  napi_set_named_property(env, out, "messages", v);
  napi_create_double(env, static_cast<double>(g_sink.heads), &v);
  napi_set_named_property(env, out, "heads", v);
  napi_create_double(env, static_cast<double>(g_sink.bytes), &v);
  napi_set_named_property(env, out, "bytes", v);
  napi_create_double(env, static_cast<double>(g_sink.mix), &v);
  napi_set_named_property(env, out, "mix", v);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, nullptr, &fn);
  napi_set_named_property(env, exports, "run", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
