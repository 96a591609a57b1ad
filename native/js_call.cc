#include "js_call.h"

namespace uvhttp {

void AsyncResource::Init(napi_env env, const char* type) {
  napi_value object;
  napi_value name;
  if (napi_create_object(env, &object) != napi_ok ||
      napi_create_string_utf8(env, type, NAPI_AUTO_LENGTH, &name) != napi_ok) {
    return;
  }
  if (napi_async_init(env, object, name, &context_) != napi_ok) {
    context_ = nullptr;
    return;
  }
  // The receiver of each call: napi_make_callback wants an object there.
  if (napi_create_reference(env, object, 1, &object_) != napi_ok) object_ = nullptr;
}

void AsyncResource::Destroy(napi_env env) {
  if (context_ != nullptr) napi_async_destroy(env, context_);
  if (object_ != nullptr) napi_delete_reference(env, object_);
  context_ = nullptr;
  object_ = nullptr;
}

napi_value AsyncResource::object(napi_env env) const {
  napi_value value = nullptr;
  if (object_ != nullptr) napi_get_reference_value(env, object_, &value);
  return value;
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
