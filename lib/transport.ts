// What the HTTP side of a connection (a server connection, a client request's parser) does to
// the connection under it, whichever it is: a native connection (its Socket), or a stream we do
// not own fed to the native parser from JS (a TLS socket, a tunnel, any Duplex). The HTTP code
// above is one; only these operations differ.
import type { Duplex } from 'stream';

import { binding } from './binding';
import type { BodyFlow } from './incoming-message';
import { forgetStream } from './native-events';
import type { MessageSink, Socket } from './socket';
import { isStandIn, SocketStandIn } from './socket-stand-in';
import type { StreamParser } from './stream-parser';
import { StreamSink } from './stream-sink';

/** The outcome of handing a connection to another protocol (an upgrade, a CONNECT tunnel). */
export type HandOver =
  | { socket: Duplex }
  // Bytes queued before the hand-over are still leaving: ask again once the output drains.
  | { wait: true }
  | { error: number };

export interface Transport extends BodyFlow {
  /** The socket users see (or a native connection's stand-in for it, until they see it). */
  readonly socket: Socket | SocketStandIn | Duplex;
  readonly sink: MessageSink;
  /** A message body's buffer is full: stop reading until its reader asks for more. */
  pauseForReader(): void;
  /** Bytes outside any message (an error response). */
  writeRaw(data: string): void;
  handOver(): HandOver;
  /** binding.messageUnderway of the parser reading this connection. */
  messageUnderway(): number;
}

export class NativeTransport implements Transport {
  // The stand-in until the socket is made (ServerConnection.onSocketMade moves this to it).
  constructor(public socket: Socket | SocketStandIn) {}

  get sink(): MessageSink {
    return this.socket;
  }

  pauseForReader(): void {
    this.socket._pauseForReader();
  }

  messageUnderway(): number {
    return binding.messageUnderway(this.socket._id);
  }

  resumeForReader(): void {
    this.socket._resumeForReader();
  }

  writeRaw(data: string): void {
    this.socket._writeRaw(data, 'latin1');
  }

  // The descriptor goes to a handle of Node's under the same socket object (native closes its
  // own); bytes queued before go first.
  handOver(): HandOver {
    const socket = isStandIn(this.socket) ? this.socket._visible() : this.socket;
    const fd = binding.detach(socket._id);
    if (fd === binding.UV_EAGAIN) {
      socket._watchDrain();
      return { wait: true };
    }
    if (fd < 0) return { error: fd };
    forgetStream(socket._id);
    return { socket: socket._becomeNetSocket(fd) };
  }
}

export class StreamTransport implements Transport {
  readonly sink: StreamSink;

  constructor(
    readonly socket: Duplex,
    readonly parser: StreamParser,
    onDrain: () => void,
  ) {
    this.sink = new StreamSink(socket, onDrain);
  }

  messageUnderway(): number {
    return binding.messageUnderway(this.parser.id);
  }

  pauseForReader(): void {
    this.socket.pause();
  }

  resumeForReader(): void {
    this.socket.resume();
  }

  writeRaw(data: string): void {
    if (this.socket.writable) this.socket.write(data, 'latin1');
  }

  // The stream is the user's already: we stop parsing it, and it is theirs with what it holds.
  handOver(): HandOver {
    this.parser.free();
    return { socket: this.socket };
  }
}
