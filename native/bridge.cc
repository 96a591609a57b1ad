#include "bridge.h"

#include <memory>
#include <string>

#include "connection.h"
#include "environment.h"
#include "field_names.h"
#include "foreign_stream.h"
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

HttpStream* StreamArgument(const Napi::CallbackInfo& info) {
  return GetEnvironment(info)->streams().Get(IdArgument(info));
}

Connection* ConnectionArgument(const Napi::CallbackInfo& info) {
  HttpStream* stream = StreamArgument(info);
  return stream != nullptr ? stream->AsConnection() : nullptr;
}

ForeignStream* ForeignArgument(const Napi::CallbackInfo& info) {
  HttpStream* stream = StreamArgument(info);
  return stream != nullptr && stream->AsConnection() == nullptr ? static_cast<ForeignStream*>(stream) : nullptr;
}

uint64_t MillisecondsArgument(const Napi::Value& value) {
  return static_cast<uint64_t>(value.As<Napi::Number>().Int64Value());
}

// A stream's settings as JS holds them: a shared pointer in an external, so that a server's
// listener, its connections and the streams given to it with emit('connection') share one
// (stream_settings.h) and the finalizer drops only JS's share.
using SettingsHandle = std::shared_ptr<StreamSettings>;

std::shared_ptr<StreamSettings> SettingsArgument(const Napi::Value& value) {
  return *value.As<Napi::External<SettingsHandle>>().Data();
}

Napi::Value FailureValue(Napi::Env env, int error, const char* syscall) {
  Napi::Array failure = Napi::Array::New(env, 2);
  failure.Set(uint32_t{0}, Napi::Number::New(env, error));
  failure.Set(uint32_t{1}, Napi::String::New(env, syscall));
  return failure;
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
  take("onConnect", &callbacks.on_connect);
  take("onHead", &callbacks.on_head);
  take("onUpgrade", &callbacks.on_upgrade);
  take("onBody", &callbacks.on_body);
  take("onMessageEnd", &callbacks.on_message_end);
  take("onParseError", &callbacks.on_parse_error);
  take("onEnd", &callbacks.on_end);
  take("onDrain", &callbacks.on_drain);
  take("onClose", &callbacks.on_close);
  take("onTimeout", &callbacks.on_timeout);
  take("onData", &callbacks.on_data);
}

// createSettings(maxHeaderSize, insecure, headersTimeout, requestTimeout, keepAliveIdle,
//                outputHighWater, connectionsCheckingInterval, maxHeaderFields,
//                lenientFieldValues) -> settings
Napi::Value CreateSettings(const Napi::CallbackInfo& info) {
  auto settings = std::make_shared<StreamSettings>();
  settings->limits.max_header_size = info[0].As<Napi::Number>().Uint32Value();
  settings->limits.lenient = info[1].As<Napi::Boolean>().Value();
  // Node answers a missing Host from JS (a 400 with its usual head), not as a parse error.
  settings->limits.require_host = false;
  ApplyLlhttpDialect(info.Env(), &settings->limits);
  settings->headers_timeout_ms = MillisecondsArgument(info[2]);
  settings->request_timeout_ms = MillisecondsArgument(info[3]);
  settings->keep_alive_timeout_ms = MillisecondsArgument(info[4]);
  settings->output_high_water = static_cast<size_t>(info[5].As<Napi::Number>().Int64Value());
  if (info.Length() > 6 && info[6].IsNumber()) settings->connections_checking_interval_ms = MillisecondsArgument(info[6]);
  if (info.Length() > 7 && info[7].IsNumber()) settings->limits.max_header_fields = info[7].As<Napi::Number>().Uint32Value();
  if (info.Length() > 8 && info[8].IsBoolean()) settings->limits.lenient_field_values = info[8].As<Napi::Boolean>().Value();
  return Napi::External<SettingsHandle>::New(info.Env(), new SettingsHandle(std::move(settings)),
                                             [](Napi::Env, SettingsHandle* handle) { delete handle; });
}

// setTimeouts(settings, headersTimeout, requestTimeout, keepAliveIdle): for every stream that
// shares the settings, open or to come (Node reads them at each check).
void SetTimeouts(const Napi::CallbackInfo& info) {
  std::shared_ptr<StreamSettings> settings = SettingsArgument(info[0]);
  settings->headers_timeout_ms = MillisecondsArgument(info[1]);
  settings->request_timeout_ms = MillisecondsArgument(info[2]);
  settings->keep_alive_timeout_ms = MillisecondsArgument(info[3]);
}

// setMaxHeaderFields(settings, n): the field count limit of the connections accepted from now
// on (Node reads maxHeadersCount when a connection comes).
void SetMaxHeaderFields(const Napi::CallbackInfo& info) {
  SettingsArgument(info[0])->limits.max_header_fields = info[1].As<Napi::Number>().Uint32Value();
}

// A listener's id, or [errno, syscall] when it could not listen.
Napi::Value ListenResult(Napi::Env env, int err, uint64_t id, const char* syscall) {
  if (err != 0) return FailureValue(env, err, syscall);
  return Napi::Number::New(env, static_cast<double>(id));
}

// listen(host or path, port or -1, backlog, settings, ipv6Only, reusePort) -> id, or [errno, syscall]
Napi::Value Listen(const Napi::CallbackInfo& info) {
  std::string host = info[0].As<Napi::String>().Utf8Value();
  uint64_t id = 0;
  const char* syscall = "listen";
  // A port of -1 means `host` is the path of a local socket.
  const int port = info[1].As<Napi::Number>().Int32Value();
  const int backlog = info[2].As<Napi::Number>().Int32Value();
  std::shared_ptr<StreamSettings> settings = SettingsArgument(info[3]);
  const BindOptions bind{info[4].ToBoolean().Value(), info[5].ToBoolean().Value()};
  int err = port < 0 ? Listener::CreateLocal(GetEnvironment(info), host.c_str(), backlog, settings,
                                             &id, &syscall)
                     : Listener::Create(GetEnvironment(info), host.c_str(), port, backlog, bind,
                                        settings, &id, &syscall);
  return ListenResult(info.Env(), err, id, syscall);
}

// listenOnDescriptor(fd, duplicate, backlog, settings) -> id, or [errno, syscall]: see
// Listener::CreateOnDescriptor.
Napi::Value ListenOnDescriptor(const Napi::CallbackInfo& info) {
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const bool duplicate = info[1].As<Napi::Boolean>().Value();
  const int backlog = info[2].As<Napi::Number>().Int32Value();
  uint64_t id = 0;
  const char* syscall = "listen";
  int err = Listener::CreateOnDescriptor(GetEnvironment(info), fd, duplicate, backlog,
                                         SettingsArgument(info[3]), &id, &syscall);
  return ListenResult(info.Env(), err, id, syscall);
}

// listenerForHandedConnections(settings) -> id: see Listener::CreateForHandedConnections.
Napi::Value ListenerForHandedConnections(const Napi::CallbackInfo& info) {
  const uint64_t id = Listener::CreateForHandedConnections(GetEnvironment(info), SettingsArgument(info[0]));
  return Napi::Number::New(info.Env(), static_cast<double>(id));
}

// adoptConnection(listenerId, fd) -> the id of a connection opened on a duplicate of `fd` with
// the listener's settings, or a negative libuv error. Its async resources are created in the
// context of the caller (the cluster message that brought the handle), where Node creates the
// socket's; JS then emits 'connection' as for an accepted one.
Napi::Value AdoptConnection(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Listener* listener = ListenerArgument(info);
  if (listener == nullptr) return Napi::Number::New(env, UV_EBADF);
  int err = 0;
  Connection* connection = Connection::Adopt(GetEnvironment(info), info[1].As<Napi::Number>().Int32Value(),
                                             listener->shared_settings(), &err);
  if (connection == nullptr) return Napi::Number::New(env, err);
  connection->InitAsync();
  return Napi::Number::New(env, static_cast<double>(connection->id()));
}

bool ParseAddress(const std::string& ip, int port, sockaddr_storage* address) {
  if (uv_ip6_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in6*>(address)) == 0) return true;
  return uv_ip4_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in*>(address)) == 0;
}

// connect(ip, port, localAddress ('' for none), localPort, settings) -> id, or [errno, syscall].
// JS resolved the name (dns.lookup or the request's lookup) first. onConnect(id, status) follows.
Napi::Value Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string ip = info[0].As<Napi::String>().Utf8Value();
  const int port = info[1].As<Napi::Number>().Int32Value();
  const std::string local_ip = info[2].As<Napi::String>().Utf8Value();
  const int local_port = info[3].As<Napi::Number>().Int32Value();
  sockaddr_storage address;
  sockaddr_storage local;
  if (!ParseAddress(ip, port, &address)) return FailureValue(env, UV_EINVAL, "connect");
  const bool bind_local = !local_ip.empty() || local_port > 0;
  if (bind_local && !ParseAddress(local_ip.empty() ? (address.ss_family == AF_INET6 ? "::" : "0.0.0.0") : local_ip,
                                  local_port, &local)) {
    return FailureValue(env, UV_EINVAL, "bind");
  }
  int error = 0;
  const char* syscall = "connect";
  Connection* connection = Connection::Connect(
      GetEnvironment(info), SettingsArgument(info[4]), reinterpret_cast<const sockaddr*>(&address),
      bind_local ? reinterpret_cast<const sockaddr*>(&local) : nullptr, &error, &syscall);
  if (connection == nullptr) return FailureValue(env, error, syscall);
  return Napi::Number::New(env, static_cast<double>(connection->id()));
}

// connectLocal(path, settings) -> id; onConnect(id, status) follows.
Napi::Value ConnectLocal(const Napi::CallbackInfo& info) {
  Connection* connection = Connection::ConnectLocal(GetEnvironment(info), SettingsArgument(info[1]),
                                                    info[0].As<Napi::String>().Utf8Value());
  return Napi::Number::New(info.Env(), static_cast<double>(connection->id()));
}

// createParser(role (0 server, 1 client), settings) -> id of a stream JS feeds (foreign_stream.h).
Napi::Value CreateParser(const Napi::CallbackInfo& info) {
  const Role role = info[0].As<Napi::Number>().Int32Value() == 0 ? Role::kServer : Role::kClient;
  ForeignStream* stream = ForeignStream::Create(GetEnvironment(info), role, SettingsArgument(info[1]));
  return Napi::Number::New(info.Env(), static_cast<double>(stream->id()));
}

// execute(id, buffer) -> bytes consumed (see ForeignStream::Execute), -1 if the stream is gone.
Napi::Value Execute(const Napi::CallbackInfo& info) {
  ForeignStream* stream = ForeignArgument(info);
  if (stream == nullptr) return Napi::Number::New(info.Env(), -1);
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  const size_t consumed = stream->Execute(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
  return Napi::Number::New(info.Env(), static_cast<double>(consumed));
}

void Finish(const Napi::CallbackInfo& info) {
  ForeignStream* stream = ForeignArgument(info);
  if (stream != nullptr) stream->Finish();
}

// setParserLimits(id, maxHeaderSize, insecure, lenientFieldValues): for the stream's messages
// from the next on (a client's parser takes each request's).
void SetParserLimits(const Napi::CallbackInfo& info) {
  HttpStream* stream = StreamArgument(info);
  if (stream == nullptr) return;
  ParserLimits limits;
  limits.max_header_size = info[1].As<Napi::Number>().Uint32Value();
  limits.lenient = info[2].As<Napi::Boolean>().Value();
  limits.lenient_field_values = info[3].As<Napi::Boolean>().Value();
  limits.require_host = false;
  ApplyLlhttpDialect(info.Env(), &limits);
  stream->SetLimits(limits);
}

// setConnectionLimits(id, maxHeaderSize, lenient, lenientFieldValues): a server connection whose
// header limit or parser leniency is not its listener's settings' (Node reads them per
// connection, at accept), from its first message.
void SetConnectionLimits(const Napi::CallbackInfo& info) {
  HttpStream* stream = StreamArgument(info);
  if (stream == nullptr) return;
  ParserLimits limits = stream->limits();
  limits.max_header_size = info[1].As<Napi::Number>().Uint32Value();
  limits.lenient = info[2].As<Napi::Boolean>().Value();
  limits.lenient_field_values = info[3].As<Napi::Boolean>().Value();
  stream->SetLimits(limits);
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
  // The connection ends after these bytes (Connection: close): one crossing for both.
  kWriteEndsConnection = 1 << 2,
};

// Appends a latin1 string; anything else (JS passes '' for "nothing") appends nothing. The
// length query doubles as the type check: it fails for a non-string and leaves length at 0.
void AppendLatin1(napi_env env, napi_value string, OutputQueue& out) {
  size_t length = 0;
  napi_get_value_string_latin1(env, string, nullptr, 0, &length);
  if (length == 0) return;
  char* target = out.Reserve(length + 1);
  size_t copied = 0;
  napi_get_value_string_latin1(env, string, target, length + 1, &copied);
  out.Commit(copied);
}

void AppendUtf8(napi_env env, napi_value string, OutputQueue& out) {
  // A UTF-16 code unit is at most three UTF-8 bytes: reserve the bound and skip the
  // length-measuring pass.
  size_t units = 0;
  napi_get_value_string_latin1(env, string, nullptr, 0, &units);
  char* target = out.Reserve(units * 3 + 1);
  size_t copied = 0;
  napi_get_value_string_utf8(env, string, target, units * 3 + 1, &copied);
  out.Commit(copied);
}

// The bytes of any ArrayBufferView (Buffer, every TypedArray, DataView), by byte length: a
// Uint16Array of 2 elements is 4 bytes.
bool ViewBytes(napi_env env, napi_value value, const char** data, size_t* length) {
  void* base = nullptr;
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) == napi_ok && is_typed) {
    napi_typedarray_type type;
    size_t elements = 0;
    if (napi_get_typedarray_info(env, value, &type, &elements, &base, nullptr, nullptr) != napi_ok) {
      return false;
    }
    size_t element_size = 1;
    switch (type) {
      case napi_int16_array:
      case napi_uint16_array:
        element_size = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        element_size = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        element_size = 8;
        break;
      default:
        break;
    }
    *data = static_cast<const char*>(base);
    *length = elements * element_size;
    return true;
  }
  bool is_view = false;
  if (napi_is_dataview(env, value, &is_view) == napi_ok && is_view &&
      napi_get_dataview_info(env, value, length, &base, nullptr, nullptr) == napi_ok) {
    *data = static_cast<const char*>(base);
    return true;
  }
  return false;
}

void AppendBody(napi_env env, napi_value body, bool latin1, OutputQueue& out) {
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
  const char* data = nullptr;
  size_t length = 0;
  if (!ViewBytes(env, body, &data, &length) || length == 0) return;
  napi_ref reference = nullptr;
  if (length >= OutputQueue::kReferenceThreshold &&
      napi_create_reference(env, body, 1, &reference) == napi_ok) {
    out.AppendReference(data, length, reference);
  } else {
    out.Append(data, length);
  }
}

// write(id, prefix, body, suffix, flags) -> bytes queued and not yet sent, or -1 if the
// connection is gone. prefix and suffix are latin1 strings ('' for none: status line, headers,
// chunk framing); body is a string (utf8, or latin1 with kWriteLatin1Body), an ArrayBufferView,
// or undefined. kWriteEndsResponse marks the response's last bytes. Fixed argument types keep
// the per-call type checks to one (the body's): this runs once per response.
Napi::Value Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Connection* connection = ConnectionArgument(info);
  if (connection == nullptr) return Napi::Number::New(env, -1);
  uint32_t flags = 0;
  napi_get_value_uint32(env, info[4], &flags);
  OutputQueue& out = connection->output();
  AppendLatin1(env, info[1], out);
  AppendBody(env, info[2], (flags & kWriteLatin1Body) != 0, out);
  AppendLatin1(env, info[3], out);
  connection->Touch();
  if ((flags & kWriteEndsResponse) != 0) connection->ResponseEnded();
  if ((flags & kWriteEndsConnection) != 0) connection->End();
  else connection->Flush();
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

// handlerThrew(): a handler of the parser event being delivered is throwing (see
// Environment::CallResult::kThrew).
void HandlerThrew(const Napi::CallbackInfo& info) { GetEnvironment(info)->MarkHandlerThrew(); }

// pause(id), resume(id), end(id), watchDrain(id): the connection's method of the same name, if
// the connection is still open.
template <void (Connection::*Method)()>
void CallOnConnection(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr) (connection->*Method)();
}

// queuedOutput(id) -> the bytes written and not yet taken by the kernel.
Napi::Value QueuedOutput(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  return Napi::Number::New(info.Env(), connection != nullptr ? static_cast<double>(connection->queued_output()) : 0);
}

// bytesRead(id) -> the bytes read from the connection's socket so far.
Napi::Value BytesRead(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  return Napi::Number::New(info.Env(), connection != nullptr ? static_cast<double>(connection->bytes_read()) : 0);
}

// hasPendingRead(id) -> whether unread bytes wait in the kernel for the connection.
Napi::Value HasPendingRead(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  return Napi::Boolean::New(info.Env(), connection != nullptr && connection->HasPendingRead());
}

// messageUnderway(id): HttpStream::MessageUnderway (0 for a stream that is gone).
Napi::Value MessageUnderway(const Napi::CallbackInfo& info) {
  HttpStream* stream = StreamArgument(info);
  return Napi::Number::New(info.Env(), stream != nullptr ? stream->MessageUnderway() : 0);
}

// destroy(id): a native connection closes now; a JS-fed stream is freed.
void DestroyStream(const Napi::CallbackInfo& info) {
  HttpStream* stream = StreamArgument(info);
  if (stream != nullptr) stream->Destroy();
}

// setRawReads(id, on): also hand each read's bytes to JS (onData) after the parser had them, for
// a client socket somebody listens to 'data' on.
void SetRawReads(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr) connection->SetRawReads(info[1].ToBoolean().Value());
}

// resetAsync(id, socket): see Connection::ResetAsync.
void ResetAsync(const Napi::CallbackInfo& info) {
  Connection* connection = ConnectionArgument(info);
  if (connection != nullptr) connection->ResetAsync(info[1].ToBoolean().Value());
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
  exports.Set("UV_EAGAIN", Napi::Number::New(env, UV_EAGAIN));
  exports.Set("UV_EINVAL", Napi::Number::New(env, UV_EINVAL));
  exports.Set("UV_EADDRINUSE", Napi::Number::New(env, UV_EADDRINUSE));
  exports.Set("UV_TCP_IPV6ONLY", Napi::Number::New(env, UV_TCP_IPV6ONLY));
  auto add = [&](const char* name, auto callback) {
    exports.Set(name, Napi::Function::New(env, callback, name));
  };
  add("setCallbacks", SetCallbacks);
  add("createSettings", CreateSettings);
  add("setTimeouts", SetTimeouts);
  add("setMaxHeaderFields", SetMaxHeaderFields);
  add("listen", Listen);
  add("listenOnDescriptor", ListenOnDescriptor);
  add("listenerForHandedConnections", ListenerForHandedConnections);
  add("adoptConnection", AdoptConnection);
  add("connect", Connect);
  add("connectLocal", ConnectLocal);
  add("createParser", CreateParser);
  add("execute", Execute);
  add("finish", Finish);
  add("setParserLimits", SetParserLimits);
  add("setConnectionLimits", SetConnectionLimits);
  add("closeListener", CloseListener);
  add("listenerAddress", ListenerAddress);
  add("peerAddress", PeerAddress);
  add("localAddress", LocalAddress);
  add("write", Write);
  add("detach", Detach);
  add("bytesRead", BytesRead);
  add("hasPendingRead", HasPendingRead);
  add("messageUnderway", MessageUnderway);
  add("queuedOutput", QueuedOutput);
  add("refListener", SetRef<Listener, ListenerArgument>);
  add("refConnection", SetRef<Connection, ConnectionArgument>);
  add("watchDrain", CallOnConnection<&Connection::WatchDrain>);
  add("pause", CallOnConnection<&Connection::Pause>);
  add("resume", CallOnConnection<&Connection::Resume>);
  add("end", CallOnConnection<&Connection::End>);
  add("destroy", DestroyStream);
  add("setTimeout", SetTimeout);
  add("handlerThrew", HandlerThrew);
  add("setRawReads", SetRawReads);
  add("resetAsync", ResetAsync);
  add("setNoDelay", SetNoDelay);
  add("setKeepAlive", SetKeepAlive);
}

}  // namespace uvhttp
