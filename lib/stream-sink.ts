// The message sink over a stream we do not own (a TLS socket, a proxy tunnel, any Duplex): an
// outgoing message's head, body and framing go out as writes on it, corked so that they leave
// together as they do on a native connection.
import { Buffer } from 'buffer';
import type { Duplex } from 'stream';

import { WRITE_ENDS_CONNECTION } from './binding';
import type { MessageSink } from './socket';

export class StreamSink implements MessageSink {
  private waitingForDrain = false;

  constructor(
    readonly stream: Duplex,
    private readonly onDrain: () => void,
  ) {}

  get writable(): boolean {
    return this.stream.writable;
  }

  get writableHighWaterMark(): number {
    return this.stream.writableHighWaterMark;
  }

  _writeMessage(
    prefix: string | undefined,
    body: string | ArrayBufferView | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    flags: number,
  ): number {
    const stream = this.stream;
    if (!stream.writable) return -1;
    stream.cork();
    if (prefix) stream.write(prefix, 'latin1');
    if (typeof body === 'string') {
      if (body.length > 0) stream.write(body, encoding ?? 'utf8');
    } else if (body !== undefined && body.byteLength > 0) {
      stream.write(body instanceof Uint8Array ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    }
    if (suffix) stream.write(suffix, 'latin1');
    stream.uncork();
    if ((flags & WRITE_ENDS_CONNECTION) !== 0) stream.end();
    return stream.writableLength;
  }

  _watchDrain(): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.stream.once('drain', () => {
      this.waitingForDrain = false;
      this.onDrain();
    });
  }

  _endedWithLastWrite(): void {}
}

/** The sink for a socket: a native socket is its own; any other stream gets a StreamSink. */
export function sinkOf(socket: unknown, onDrain: () => void): MessageSink {
  const own = socket as Partial<MessageSink>;
  if (typeof own._writeMessage === 'function') return socket as MessageSink;
  return new StreamSink(socket as Duplex, onDrain);
}
