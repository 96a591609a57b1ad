// Routes native events to the JS objects they concern, by id, and nothing more (DESIGN: "The
// router is only a router"). The callbacks are registered with the addon once per environment
// (DESIGN: "register callbacks once"). A stream id belongs to a native connection (its owner is
// the Socket) or to a parser JS feeds for a stream we do not own (its owner is that feeder); a
// listener id to its Server.
import { binding } from './binding';

/** What native tells about one stream. */
export interface StreamOwner {
  onConnect(status: number): void;
  onHead(code: number, text: string, major: number, minor: number, rawHeaders: string[], flags: number): number | void;
  onUpgrade(head: Buffer | undefined): void;
  onBody(chunk: Buffer): void;
  onMessageEnd(rawTrailers: string[] | undefined): void;
  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined, status: number): void;
  onEnd(): void;
  onDrain(): void;
  onTimeout(): void;
  onClose(errno: number, bytesRead: number): void;
  onData(chunk: Buffer): void;
}

/** What native tells about one listener: a connection it accepted (its stream id). */
export interface ListenerOwner {
  onConnection(streamId: number): void;
}

const FIELD_NAMES = binding.fieldNames;
const listeners = new Map<number, ListenerOwner>();
const streams = new Map<number, StreamOwner>();

export function registerListener(id: number, owner: ListenerOwner): void {
  listeners.set(id, owner);
}

export function unregisterListener(id: number): void {
  listeners.delete(id);
}

export function registerStream(id: number, owner: StreamOwner): void {
  streams.set(id, owner);
}

// The stream's events go nowhere from now on (its descriptor now belongs to a net.Socket after
// an upgrade, or the JS-fed parser was freed).
export function forgetStream(id: number): void {
  streams.delete(id);
}

binding.setCallbacks({
  onConnection(listenerId, id) {
    const owner = listeners.get(listenerId);
    if (owner === undefined) binding.destroy(id);
    else owner.onConnection(id);
  },
  onConnect(id, status) {
    streams.get(id)?.onConnect(status);
  },
  // A handler that throws while a parser event is delivered stops the parser, as on Node: native
  // is told on the way out (the exception then goes on to 'uncaughtException').
  onHead(id, code, text, major, minor, flags, ...rawHeaders) {
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i];
      if (typeof name === 'number') rawHeaders[i] = FIELD_NAMES[name];
    }
    try {
      return streams.get(id)?.onHead(code, text, major, minor, rawHeaders as string[], flags);
    } catch (error) {
      binding.handlerThrew();
      throw error;
    }
  },
  onUpgrade(id, head) {
    streams.get(id)?.onUpgrade(head);
  },
  onBody(id, chunk) {
    try {
      streams.get(id)?.onBody(chunk);
    } catch (error) {
      binding.handlerThrew();
      throw error;
    }
  },
  onMessageEnd(id, rawTrailers) {
    try {
      streams.get(id)?.onMessageEnd(rawTrailers);
    } catch (error) {
      binding.handlerThrew();
      throw error;
    }
  },
  onParseError(id, code, reason, bytesParsed, rawPacket, status) {
    streams.get(id)?.onParseError(code, reason, bytesParsed, rawPacket, status);
  },
  onEnd(id) {
    streams.get(id)?.onEnd();
  },
  onDrain(id) {
    streams.get(id)?.onDrain();
  },
  onTimeout(id) {
    streams.get(id)?.onTimeout();
  },
  onData(id, chunk) {
    streams.get(id)?.onData(chunk);
  },
  onClose(id, errno, bytesRead) {
    const owner = streams.get(id);
    if (owner === undefined) return;
    streams.delete(id);
    owner.onClose(errno, bytesRead);
  },
});
