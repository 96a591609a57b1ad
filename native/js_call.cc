#include "js_call.h"

namespace uvhttp {

void AsyncResource::Init(napi_env env, const char* type) {
  napi_value name;
  // No resource object of ours: N-API then makes one and holds it for the context's life, and
  // every call in the context runs with it as its resource (executionAsyncResource(), where
  // AsyncLocalStorage keeps its stores before Node 24), whatever the receiver. An object of
  // our own would also need a reference of ours to keep it (a few hundred bytes per connection
  // with the two resources each has).
  if (napi_create_string_utf8(env, type, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, nullptr, name, &context_) != napi_ok) {
    context_ = nullptr;
  }
}

void AsyncResource::Destroy(napi_env env) {
  if (context_ != nullptr) napi_async_destroy(env, context_);
  context_ = nullptr;
}

void JsArguments::Check(napi_status status, napi_value value) {
  if (status != napi_ok || value == nullptr) {
    ok_ = false;
    value = nullptr;
  }
  values_.push_back(value);
}

void JsArguments::Number(double value) {
  napi_value result = nullptr;
  const napi_status status = napi_create_double(env_, value, &result);
  Check(status, result);
}

void JsArguments::Int32(int32_t value) {
  napi_value result = nullptr;
  const napi_status status = napi_create_int32(env_, value, &result);
  Check(status, result);
}

void JsArguments::Latin1(const char* data, size_t length) {
  napi_value result = nullptr;
  const napi_status status = napi_create_string_latin1(env_, data, length, &result);
  Check(status, result);
}

void JsArguments::Utf8(const char* data) {
  napi_value result = nullptr;
  const napi_status status = napi_create_string_utf8(env_, data, NAPI_AUTO_LENGTH, &result);
  Check(status, result);
}

void JsArguments::BufferCopy(const char* data, size_t length) {
  napi_value result = nullptr;
  const napi_status status = napi_create_buffer_copy(env_, length, data, nullptr, &result);
  Check(status, result);
}

void JsArguments::Undefined() {
  napi_value result = nullptr;
  const napi_status status = napi_get_undefined(env_, &result);
  Check(status, result);
}

void JsArguments::Value(napi_value value) { Check(napi_ok, value); }

}  // namespace uvhttp
