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

export interface Binding {
  // Header names common enough that native passes their index instead of a new string.
  fieldNames: readonly string[];
  // libuv's EAGAIN (negative, platform-dependent), as detach() returns it.
  UV_EAGAIN: number;
  setCallbacks(callbacks: NativeCallbacks): void;
  listen(
    host: string,
    port: number,
    backlog: number,
    maxHeaderSize: number,
    insecureHTTPParser: boolean,
    headersTimeout: number,
    requestTimeout: number,
    keepAliveIdle: number,
    outputHighWater: number,
  ): number | [number, string];
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
