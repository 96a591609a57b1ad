// Loads the native addon through node-gyp-build. At install time it keeps a matching prebuild
// from prebuilds/ and compiles only when none loads; at run time it takes build/Release when
// there is one (a development checkout) and the prebuild otherwise (an installed package). If
// neither loads, the error says why; there is no fallback to node:http, because a silent
// fallback would hide the thing the user installed us for.
import * as path from 'path';

export interface AddressInfo {
  address: string;
  family: string;
  port: number;
}

export interface NativeCallbacks {
  onConnection(listenerId: number, connectionId: number): void;
  onHead(
    connectionId: number,
    method: number,
    url: string,
    versionMajor: number,
    versionMinor: number,
    flags: number,
    // [name, value, ...]; a common name arrives as its index in Binding.fieldNames.
    ...rawHeaders: Array<string | number>
  ): boolean | void;
  onUpgrade(connectionId: number, head: Buffer): void;
  onBody(connectionId: number, chunk: Buffer): void;
  onMessageEnd(connectionId: number, rawTrailers: string[] | undefined): void;
  onParseError(
    connectionId: number,
    code: string,
    reason: string,
    bytesParsed: number,
    rawPacket: Buffer | undefined,
    status: number,
  ): void;
  onEnd(connectionId: number): void;
  onDrain(connectionId: number): void;
  onClose(connectionId: number, errno: number): void;
  onTimeout(connectionId: number): void;
}

// What a listener shares with its connections: maxHeaderSize, insecureHTTPParser, headersTimeout,
// requestTimeout, keepAliveIdle, outputHighWater.
export type ListenerSettings = [number, boolean, number, number, number, number];

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
  // Binds an IP literal ('' for every address) and listens, or listens on a local socket's path
  // (port -1). ipv6Only applies to an IPv6 address.
  listen(host: string, port: number, backlog: number, ...settingsAndIpv6Only: [...ListenerSettings, boolean]): ListenResult;
  // Listens on an open descriptor (listen({ fd })); with `duplicate`, on a duplicate of the
  // descriptor of a Node handle, which stays its owner's.
  listenOnDescriptor(fd: number, duplicate: boolean, backlog: number, ...settings: ListenerSettings): ListenResult;
  // A listener that accepts nothing: its connections are adopted (the cluster's round-robin).
  listenerForHandedConnections(...settings: ListenerSettings): number;
  // A connection opened on a duplicate of a connected socket's descriptor (a handle the cluster
  // primary sent), with the listener's settings: its id, or a negative libuv error.
  adoptConnection(listenerId: number, fd: number): number;
  setServerTimeouts(id: number, headersTimeout: number, requestTimeout: number, keepAliveIdle: number): void;
  closeListener(id: number): void;
  listenerAddress(id: number): AddressInfo | null;
  peerAddress(id: number): AddressInfo | undefined;
  localAddress(id: number): AddressInfo | undefined;
  // prefix and suffix are latin1 ('' for none); flags are WRITE_* bits.
  write(id: number, prefix: string, body: string | ArrayBufferView | undefined, suffix: string, flags: number): number;
  // A duplicate of the descriptor once the output has drained (then the native side closes);
  // UV_EAGAIN while output is still leaving; another negative errno on failure (the connection
  // is then closed, and onClose follows).
  detach(id: number): number;
  // Whether the handle keeps the event loop alive.
  refListener(id: number, ref: boolean): void;
  refConnection(id: number, ref: boolean): void;
  watchDrain(id: number): void;
  pause(id: number): void;
  resume(id: number): void;
  end(id: number): void;
  destroy(id: number): void;
  setTimeout(id: number, milliseconds: number): void;
  // Said on the way out of a parser event whose handler threw: native then stops parsing, as
  // Node's parser does after a callback error.
  handlerThrew(): void;
  setNoDelay(id: number, enable: boolean): void;
  setKeepAlive(id: number, enable: boolean, delaySeconds: number): void;
}

// Flags of NativeCallbacks.onHead; the same bits as native/connection.h HeadFlags.
export const HEAD_KEEP_ALIVE = 1 << 0;
export const HEAD_UPGRADE = 1 << 1;
export const HEAD_CHUNKED = 1 << 2;
export const HEAD_COMPLETE = 1 << 3;

// Flags of Binding.write; the same bits as native/bridge.cc WriteFlags.
export const WRITE_LATIN1_BODY = 1 << 0;
export const WRITE_ENDS_RESPONSE = 1 << 1;
export const WRITE_ENDS_CONNECTION = 1 << 2;

function load(): Binding {
  const root = path.join(__dirname, '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('node-gyp-build')(root) as Binding;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new Error(
      `uvhttp: the native addon did not load (${process.platform}-${process.arch}, ` +
        `Node ${process.version}, N-API ${process.versions.napi}). ${reason}. ` +
        `Reinstall to build it from source (needs python3, make and a C++17 compiler), ` +
        `or use a platform with a prebuild in ${path.join(root, 'prebuilds')}.`,
    );
    (error as Error & { cause?: unknown }).cause = cause;
    throw error;
  }
}

export const binding: Binding = load();
