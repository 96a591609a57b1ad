// The native addon's surface. At install time node-gyp-build keeps a matching prebuild from
// prebuilds/ and compiles only when none loads; at run time load-addon.ts takes build/Release
// when there is one and the prebuild otherwise, or throws an error that says why.
import * as path from 'path';
import { loadAddon } from './load-addon';

export interface AddressInfo {
  address: string;
  family: string;
  port: number;
}

export interface NativeCallbacks {
  onConnection(listenerId: number, streamId: number): void;
  // A client connection was made (status 0) or failed (a negative errno).
  onConnect(streamId: number, status: number): void;
  // One message head, requests and responses alike: `code` is the method's index in METHODS
  // (requests) or the status code (responses), `text` the url or the reason phrase. Returns a
  // HEAD_ANSWER_*.
  onHead(
    streamId: number,
    code: number,
    text: string,
    versionMajor: number,
    versionMinor: number,
    flags: number,
    // [name, value, ...]; a common name arrives as its index in Binding.fieldNames.
    ...rawHeaders: Array<string | number>
  ): number | void;
  // head: what followed the hand-over point; undefined when a read ended inside the body of a
  // request handed over after it (Node 26).
  onUpgrade(streamId: number, head: Buffer | undefined): void;
  onBody(streamId: number, chunk: Buffer): void;
  onMessageEnd(streamId: number, rawTrailers: string[] | undefined): void;
  onParseError(
    streamId: number,
    code: string,
    reason: string,
    bytesParsed: number,
    rawPacket: Buffer | undefined,
    status: number,
  ): void;
  onEnd(streamId: number): void;
  onDrain(streamId: number): void;
  onClose(streamId: number, errno: number, bytesRead: number): void;
  onTimeout(streamId: number): void;
  // A read's raw bytes, after the parser had them (setRawReads).
  onData(streamId: number, chunk: Buffer): void;
}

// A stream's limits and timeouts as native holds them (an opaque handle): a server's listener,
// its connections and the streams given to it with emit('connection') share one.
export type NativeSettings = { readonly __settings: unique symbol };

// A listener's id, or [errno, syscall] when it could not listen.
export type ListenResult = number | [number, string];

export interface Binding {
  // Header names common enough that native passes their index instead of a new string.
  fieldNames: readonly string[];
  // libuv's EAGAIN (negative, platform-dependent), as detach() returns it.
  UV_EAGAIN: number;
  // libuv's EINVAL and EADDRINUSE, for the listen errors JS reports itself as Node does.
  UV_EINVAL: number;
  UV_EADDRINUSE: number;
  // The bind flag of Node's ipv6Only (what a cluster query carries as `flags`).
  UV_TCP_IPV6ONLY: number;
  setCallbacks(callbacks: NativeCallbacks): void;
  createSettings(
    maxHeaderSize: number,
    insecureHTTPParser: boolean,
    headersTimeout: number,
    requestTimeout: number,
    keepAliveIdle: number,
    outputHighWater: number,
    // How often headersTimeout/requestTimeout are checked (servers; default 30 s).
    connectionsCheckingInterval?: number,
    // Fields in a head or a trailer section past which parsing fails (0: no limit).
    maxHeaderFields?: number,
    // Field values may hold any byte but NUL, CR and LF (httpValidation 'relaxed'; implied by
    // insecureHTTPParser).
    lenientFieldValues?: boolean,
  ): NativeSettings;
  setMaxHeaderFields(settings: NativeSettings, maxHeaderFields: number): void;
  setTimeouts(settings: NativeSettings, headersTimeout: number, requestTimeout: number, keepAliveIdle: number): void;
  // Binds an IP literal ('' for every address) and listens, or listens on a local socket's path
  // (port -1). ipv6Only applies to an IPv6 address.
  listen(host: string, port: number, backlog: number, settings: NativeSettings, ipv6Only: boolean, reusePort: boolean): ListenResult;
  // Listens on an open descriptor (listen({ fd })); with `duplicate`, on a duplicate of the
  // descriptor of a Node handle, which stays its owner's.
  listenOnDescriptor(fd: number, duplicate: boolean, backlog: number, settings: NativeSettings): ListenResult;
  // A listener that accepts nothing: its connections are adopted (the cluster's round-robin).
  listenerForHandedConnections(settings: NativeSettings): number;
  // A connection opened on a duplicate of a connected socket's descriptor (a handle the cluster
  // primary sent), with the listener's settings: its id, or a negative libuv error.
  adoptConnection(listenerId: number, fd: number): number;
  closeListener(id: number): void;
  listenerAddress(id: number): AddressInfo | string | null;
  // A client connection to an IP literal (localAddress '' and localPort 0 for none).
  connect(ip: string, port: number, localAddress: string, localPort: number, settings: NativeSettings): number | [number, string];
  connectLocal(path: string, settings: NativeSettings): number;
  // A parser JS feeds, for a socket we do not own (role ROLE_SERVER or ROLE_CLIENT).
  createParser(role: number, settings: NativeSettings): number;
  // Bytes consumed (-1 if the stream is gone); events for them are delivered before it returns.
  execute(id: number, chunk: Uint8Array): number;
  finish(id: number): void;
  // lenientFieldValues: httpValidation 'relaxed' (a request's, for its response).
  setParserLimits(id: number, maxHeaderSize: number, insecureHTTPParser: boolean, lenientFieldValues: boolean): void;
  // A server connection's header limit and parser leniency when they are not its listener's
  // settings' (at accept).
  setConnectionLimits(id: number, maxHeaderSize: number, lenient: boolean, lenientFieldValues: boolean): void;
  peerAddress(id: number): AddressInfo | undefined;
  localAddress(id: number): AddressInfo | undefined;
  // prefix and suffix are latin1 ('' for none); flags are WRITE_* bits.
  write(id: number, prefix: string, body: string | ArrayBufferView | undefined, suffix: string, flags: number): number;
  // A duplicate of the descriptor once the output has drained (then the native side closes);
  // UV_EAGAIN while output is still leaving; another negative errno on failure (the connection
  // is then closed, and onClose follows).
  detach(id: number): number;
  bytesRead(id: number): number;
  // Whether unread bytes wait in the kernel's receive queue (the peer's end alone does not count).
  hasPendingRead(id: number): boolean;
  // 0: no message arriving; 1: none yet and nothing read since the accept; 2: one has begun.
  messageUnderway(id: number): number;
  queuedOutput(id: number): number;
  // Whether the handle keeps the event loop alive.
  refListener(id: number, ref: boolean): void;
  refConnection(id: number, ref: boolean): void;
  watchDrain(id: number): void;
  pause(id: number): void;
  resume(id: number): void;
  end(id: number): void;
  // A native connection closes now; a JS-fed parser is freed.
  destroy(id: number): void;
  setTimeout(id: number, milliseconds: number): void;
  setNoDelay(id: number, enable: boolean): void;
  setKeepAlive(id: number, enable: boolean, delaySeconds: number): void;
  // Said on the way out of a parser event whose handler threw: native then stops parsing, as
  // Node's parser does after a callback error.
  handlerThrew(): void;
  setRawReads(id: number, on: boolean): void;
  // New async resources for a client connection in the context running now (the parser's, and
  // the socket's too when `socket`).
  resetAsync(id: number, socket: boolean): void;
}

// Flags of NativeCallbacks.onHead; the same bits as native/http_stream.h HeadFlags.
export const HEAD_KEEP_ALIVE = 1 << 0;
export const HEAD_UPGRADE = 1 << 1;
export const HEAD_CHUNKED = 1 << 2;
export const HEAD_COMPLETE = 1 << 3;

// What onHead returns; native/http_stream.h HeadAnswer.
export const HEAD_ANSWER_CONTINUE = 0;
export const HEAD_ANSWER_SKIP_BODY = 1;
export const HEAD_ANSWER_HAND_OFF = 2;
export const HEAD_ANSWER_HAND_OFF_AFTER_BODY = 3;

// Roles of createParser; native/http_stream.h Role.
export const ROLE_SERVER = 0;
export const ROLE_CLIENT = 1;

// Flags of Binding.write; the same bits as native/bridge.cc WriteFlags.
export const WRITE_LATIN1_BODY = 1 << 0;
export const WRITE_ENDS_RESPONSE = 1 << 1;
export const WRITE_ENDS_CONNECTION = 1 << 2;

function load(): Binding {
  return loadAddon(path.join(__dirname, '..')) as Binding;
}

export const binding: Binding = load();
