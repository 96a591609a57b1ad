// Calling into JS safely. Every call from a libuv callback into JS can find JS unable to run: a
// Worker being terminated, or process.exit() called from a handler. That is a normal outcome,
// not an error (DESIGN: "Memory and backpressure"): node-addon-api's value wrappers turn a failed
// N-API status into a fatal error there, so the paths that call JS build their arguments with
// the plain N-API calls below, check every status, and skip the call when one failed.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace uvhttp {

// A handle scope around native code that creates JS values outside a call from JS.
class HandleScope {
 public:
  explicit HandleScope(napi_env env) : env_(env) {
    if (napi_open_handle_scope(env_, &scope_) != napi_ok) scope_ = nullptr;
  }
  ~HandleScope() {
    if (scope_ != nullptr) napi_close_handle_scope(env_, scope_);
  }
  HandleScope(const HandleScope&) = delete;
  HandleScope& operator=(const HandleScope&) = delete;

 private:
  napi_env env_;
  napi_handle_scope scope_ = nullptr;
};

// An async_hooks resource: what executionAsyncId() and AsyncLocalStorage see while native
// calls into JS on its behalf (napi_async_init / napi_async_destroy).
class AsyncResource {
 public:
  AsyncResource() = default;
  AsyncResource(const AsyncResource&) = delete;
  AsyncResource& operator=(const AsyncResource&) = delete;

  // Creates the resource as a child of the JS context running now (its trigger, and the
  // AsyncLocalStorage stores it inherits). `type` is what async_hooks init hooks see.
  void Init(napi_env env, const char* type);
  void Destroy(napi_env env);
  napi_async_context context() const { return context_; }

 private:
  napi_async_context context_ = nullptr;
};

// Arguments for one call into JS, built with plain N-API calls. Any failure (JS cannot run, or
// out of memory) marks the list as failed and the call is not made.
class JsArguments {
 public:
  JsArguments(napi_env env, std::vector<napi_value>& storage) : env_(env), values_(storage) {
    values_.clear();
  }

  bool ok() const { return ok_; }
  size_t size() const { return values_.size(); }
  const napi_value* data() const { return values_.data(); }

  void Number(double value);
  void Int32(int32_t value);
  void Latin1(const char* data, size_t length);
  void Utf8(const char* data);
  void BufferCopy(const char* data, size_t length);
  void Undefined();
  void Value(napi_value value);
  // [name, value, ...] latin1 strings as one array.
  template <typename Field>
  void FieldArray(const Field* fields, uint32_t count);

 private:
  void Check(napi_status status, napi_value value);

  napi_env env_;
  std::vector<napi_value>& values_;
  bool ok_ = true;
};

template <typename Field>
void JsArguments::FieldArray(const Field* fields, uint32_t count) {
  napi_value list = nullptr;
  napi_status status = napi_create_array_with_length(env_, count * 2, &list);
  for (uint32_t i = 0; i < count && status == napi_ok; ++i) {
    napi_value name;
    napi_value value;
    status = napi_create_string_latin1(env_, fields[i].name.data, fields[i].name.len, &name);
    if (status == napi_ok) {
      status = napi_create_string_latin1(env_, fields[i].value.data, fields[i].value.len, &value);
    }
    if (status == napi_ok) status = napi_set_element(env_, list, i * 2, name);
    if (status == napi_ok) status = napi_set_element(env_, list, i * 2 + 1, value);
  }
  Check(status, list);
}

}  // namespace uvhttp
