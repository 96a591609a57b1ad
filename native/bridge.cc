#include "bridge.h"

#include <string>

#include "connection.h"
#include "environment.h"
#include "field_names.h"
#include "listener.h"
#include "llhttp_dialect.h"

namespace uvhttp {

namespace {

Environment* GetEnvironment(const Napi::CallbackInfo& info) {
  return info.Env().GetInstanceData<Environment>();
}

uint64_t IdArgument(const Napi::CallbackInfo& info) {
  return static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
}

Connection* ConnectionArgument(const Napi::CallbackInfo& info) {
  return GetEnvironment(info)->connections().Get(IdArgument(info));
}

Listener* ListenerArgument(const Napi::CallbackInfo& info) {
  return GetEnvironment(info)->listeners().Get(IdArgument(info));
}

Napi::Value AddressObject(Napi::Env env, const sockaddr_storage& address) {
  char ip[INET6_ADDRSTRLEN] = "";
  int port = 0;
  const char* family = "IPv4";
  if (address.ss_family == AF_INET6) {
    const sockaddr_in6* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    uv_ip6_name(in6, ip, sizeof(ip));
    port = ntohs(in6->sin6_port);
    family = "IPv6";
  } else if (address.ss_family == AF_INET) {
    const sockaddr_in* in4 = reinterpret_cast<const sockaddr_in*>(&address);
    uv_ip4_name(in4, ip, sizeof(ip));
    port = ntohs(in4->sin_port);
  } else {
    return env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("address", Napi::String::New(env, ip));
  result.Set("family", Napi::String::New(env, family));
  result.Set("port", Napi::Number::New(env, port));
  return result;
}

// setCallbacks({onConnection, onHead, ...}): the functions native calls, registered once.
void SetCallbacks(const Napi::CallbackInfo& info) {
  Environment* environment = GetEnvironment(info);
  Napi::Object functions = info[0].As<Napi::Object>();
  JsCallbacks& callbacks = environment->callbacks();
  auto take = [&](const char* name, Napi::FunctionReference* slot) {
    *slot = Napi::Persistent(functions.Get(name).As<Napi::Function>());
  };
  take("onConnection", &callbacks.on_connection);
  take("onHead", &callbacks.on_head);
  take("onUpgrade", &callbacks.on_upgrade);
  take("onBody", &callbacks.on_body);
  take("onMessageEnd", &callbacks.on_message_end);
  take("onParseError", &callbacks.on_parse_error);
  take("onEnd", &callbacks.on_end);
  take("onDrain", &callbacks.on_drain);
  take("onClose", &callbacks.on_close);
  take("onTimeout", &callbacks.on_timeout);
}

// listen(host or path, port or -1, backlog, maxHeaderSize, insecure, headersTimeout,
//        requestTimeout, keepAliveIdle)
//   -> id, or [errno, syscall]
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = info[0].As<Napi::String>().Utf8Value();
  Listener::Options options;
  options.limits.max_header_size = info[3].As<Napi::Number>().Uint32Value();
  options.limits.lenient = info[4].As<Napi::Boolean>().Value();
  // Node answers a missing Host from JS (a 400 with its usual head), not as a parse error.
  options.limits.require_host = false;
  ApplyLlhttpDialect(env, &options.limits);
  options.headers_timeout_ms = static_cast<uint64_t>(info[5].As<Napi::Number>().Int64Value());
  options.request_timeout_ms = static_cast<uint64_t>(info[6].As<Napi::Number>().Int64Value());
  options.keep_alive_timeout_ms = static_cast<uint64_t>(info[7].As<Napi::Number>().Int64Value());
  uint64_t id = 0;
  const char* syscall = "listen";
  // A port of -1 means `host` is the path of a local socket.
  const int port = info[1].As<Napi::Number>().Int32Value();
  const int backlog = info[2].As<Napi::Number>().Int32Value();
  int err = port < 0 ? Listener::CreateLocal(GetEnvironment(info), host.c_str(), backlog, options,
                                             &id, &syscall)
                     : Listener::Create(GetEnvironment(info), host.c_str(), port, backlog, options,
                                        &id, &syscall);
  if (err != 0) {
    Napi::Array failure = Napi::Array::New(env, 2);
    failure.Set(uint32_t{0}, Napi::Number::New(env, err));
    failure.Set(uint32_t{1}, Napi::String::New(env, syscall));
    return failure;
  }
  return Napi::Number::New(env, static_cast<double>(id));
}

void CloseListener(const Napi::CallbackInfo& info) {
  Listener* listener = ListenerArgument(info);
  if (listener != nullptr) listener->Close();
}

// The address a libuv getter (uv_tcp_getsockname or uv_tcp_getpeername) reports for a TCP
// handle, or for a local socket the path it is bound to (listeners) or nothing (connections),
// as net does.
using AddressGetter = int (*)(const uv_tcp_t*, sockaddr*, int*);

Napi::Value HandleAddress(Napi::Env env, StreamHandle* handle, AddressGetter get) {
  if (handle == nullptr) return env.Undefined();
  if (!IsTcp(*handle)) return env.Undefined();
  sockaddr_storage address;
  int length = sizeof(address);
  if (get(&handle->tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return env.Undefined();
  }
  return AddressObject(env, address);
}

Napi::Value ListenerAddress(const Napi::CallbackInfo& info) {
  Listener* listener = ListenerArgument(info);
  if (listener == nullptr) return info.Env().Null();
  if (!IsTcp(listener->handle())) {
    char path[4096];
    size_t length = sizeof(path);
    if (uv_pipe_getsockname(&listener->handle().pipe, path, &length) != 0) return info.Env().Null();
    return Napi::String::New(info.Env(), path, length);
  }
  Napi::Value address = HandleAddress(info.Env(), &listener->handle(), uv_tcp_getsockname);
  return address.IsUndefined() ? info.Env().Null() : address;
}

Napi::Value PeerAddress(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  return HandleAddress(info.Env(), connection ? &connection->handle() : nullptr, uv_tcp_getpeername);
}

Napi::Value LocalAddress(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  return HandleAddress(info.Env(), connection ? &connection->handle() : nullptr, uv_tcp_getsockname);
}

// Bits of write()'s `flags` argument (lib/binding.ts has the same).
enum WriteFlags : uint32_t {
  kWriteLatin1Body = 1 << 0,
  kWriteEndsResponse = 1 << 1,
};

// Appends a latin1 string; anything else (JS passes '' for "nothing") appends nothing. The
// length query doubles as the type check: it fails for a non-string and leaves length at 0.
void AppendLatin1(napi_env env, napi_value string, ByteBuffer& out) {
  size_t length = 0;
  napi_get_value_string_latin1(env, string, nullptr, 0, &length);
  if (length == 0) return;
  char* target = out.Reserve(length + 1);
  size_t copied = 0;
  napi_get_value_string_latin1(env, string, target, length + 1, &copied);
  out.Commit(copied);
}

void AppendUtf8(napi_env env, napi_value string, ByteBuffer& out) {
  // A UTF-16 code unit is at most three UTF-8 bytes: reserve the bound and skip the
  // length-measuring pass.
  size_t units = 0;
  napi_get_value_string_latin1(env, string, nullptr, 0, &units);
  char* target = out.Reserve(units * 3 + 1);
  size_t copied = 0;
  napi_get_value_string_utf8(env, string, target, units * 3 + 1, &copied);
  out.Commit(copied);
}

void AppendBody(napi_env env, napi_value body, bool latin1, ByteBuffer& out) {
  napi_valuetype type;
  napi_typeof(env, body, &type);
  if (type == napi_string) {
    if (latin1) {
      AppendLatin1(env, body, out);
    } else {
      AppendUtf8(env, body, out);
    }
    return;
  }
  if (type != napi_object) return;
  void* data = nullptr;
  size_t length = 0;
  // A Buffer or any Uint8Array view (napi_get_typedarray_info fails for anything else).
  if (napi_get_typedarray_info(env, body, nullptr, &length, &data, nullptr, nullptr) == napi_ok) {
    out.Append(static_cast<const char*>(data), length);
  }
}

// write(id, prefix, body, suffix, flags) -> bytes queued and not yet sent, or -1 if the
// connection is gone. prefix and suffix are latin1 strings ('' for none: status line, headers,
// chunk framing); body is a string (utf8, or latin1 with kWriteLatin1Body), a Uint8Array, or
// undefined. kWriteEndsResponse marks the response's last bytes. Fixed argument types keep the
// per-call type checks to one (the body's): this runs once per response.
Napi::Value Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Connection* connection = ConnectionArgument(info);
  if (connection == nullptr) return Napi::Number::New(env, -1);
  uint32_t flags = 0;
  napi_get_value_uint32(env, info[4], &flags);
  ByteBuffer& out = connection->pending_output();
  AppendLatin1(env, info[1], out);
  AppendBody(env, info[2], (flags & kWriteLatin1Body) != 0, out);
  AppendLatin1(env, info[3], out);
  if ((flags & kWriteEndsResponse) != 0) connection->ResponseEnded();
  connection->Flush();
  // A failed write closes the connection (it stays allocated until its close callback).
  if (connection->closing()) return Napi::Number::New(env, -1);
  return Napi::Number::New(env, static_cast<double>(connection->queued_output()));
}

// detach(id) -> a duplicate of the connection's descriptor for a net.Socket, or a negative libuv
// error. The native connection closes; the connection itself lives on in the descriptor.
Napi::Value Detach(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection == nullptr) return Napi::Number::New(info.Env(), UV_EBADF);
  return Napi::Number::New(info.Env(), connection->Detach());
}

void SetListenerKeepAlive(const Napi::CallbackInfo& info) {
  Listener* listener = ListenerArgument(info);
  if (listener != nullptr) {
    listener->set_keep_alive_timeout(
        static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()));
  }
}

// pause(id), resume(id), end(id), destroy(id), watchDrain(id): the connection's method of the
// same name, if the connection is still open.
template <void (Connection::*Method)()>
void CallOnConnection(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr) (connection->*Method)();
}

void SetTimeout(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr) {
    connection->SetTimeout(static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()));
  }
}

void SetNoDelay(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr && IsTcp(connection->handle())) {
    uv_tcp_nodelay(&connection->handle().tcp, info[1].ToBoolean().Value());
  }
}

void SetKeepAlive(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr && IsTcp(connection->handle())) {
    uv_tcp_keepalive(&connection->handle().tcp, info[1].ToBoolean().Value(),
                     info[2].As<Napi::Number>().Uint32Value());
  }
}

// refListener(id, ref), refConnection(id, ref): whether the handle keeps the event loop alive
// (Node's ref()/unref()).
template <typename Owner, Owner* (*Argument)(const Napi::CallbackInfo&)>
void SetRef(const Napi::CallbackInfo& info) {
  Owner* owner = Argument(info);
  if (owner == nullptr) return;
  uv_handle_t* handle = &owner->handle().handle;
  if (info[1].ToBoolean().Value()) {
    uv_ref(handle);
  } else {
    uv_unref(handle);
  }
}

}  // namespace

void InitBridge(Napi::Env env, Napi::Object exports) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  Environment* environment = new Environment(env, loop);
  env.SetInstanceData<Environment, Environment::Release>(environment);

  exports.Set("fieldNames", FieldNameList(env));
  auto add = [&](const char* name, auto callback) {
    exports.Set(name, Napi::Function::New(env, callback, name));
  };
  add("setCallbacks", SetCallbacks);
  add("listen", Listen);
  add("closeListener", CloseListener);
  add("listenerAddress", ListenerAddress);
  add("peerAddress", PeerAddress);
  add("localAddress", LocalAddress);
  add("write", Write);
  add("detach", Detach);
  add("setListenerKeepAlive", SetListenerKeepAlive);
  add("refListener", SetRef<Listener, ListenerArgument>);
  add("refConnection", SetRef<Connection, ConnectionArgument>);
  add("watchDrain", CallOnConnection<&Connection::WatchDrain>);
  add("pause", CallOnConnection<&Connection::Pause>);
  add("resume", CallOnConnection<&Connection::Resume>);
  add("end", CallOnConnection<&Connection::End>);
  add("destroy", CallOnConnection<&Connection::Destroy>);
  add("setTimeout", SetTimeout);
  add("setNoDelay", SetNoDelay);
  add("setKeepAlive", SetKeepAlive);
}

}  // namespace uvhttp
