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
  ): number | [number, string];
  setListenerKeepAlive(id: number, keepAliveIdle: number): void;
  closeListener(id: number): void;
  listenerAddress(id: number): AddressInfo | null;
  peerAddress(id: number): AddressInfo | undefined;
  localAddress(id: number): AddressInfo | undefined;
  // prefix and suffix are latin1 ('' for none); flags are WRITE_* bits.
  write(id: number, prefix: string, body: string | Uint8Array | undefined, suffix: string, flags: number): number;
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

function load(): Binding {
  return loadAddon(path.join(__dirname, '..')) as Binding;
}

export const binding: Binding = load();
