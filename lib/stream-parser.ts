// Feeds a stream we do not own to the native parser (native/foreign_stream.h): every chunk the
// stream emits is parsed in C++, and the events come back through the router exactly as a
// native connection's do, to the same MessageReceiver. The stream's own reading, writing,
// timeouts and closing stay its own.
import { Buffer } from 'buffer';
import type { Duplex } from 'stream';

import { binding, NativeSettings } from './binding';
import { forgetStream, registerStream, StreamOwner } from './native-events';
import type { MessageReceiver } from './socket';

export class StreamParser implements StreamOwner {
  readonly id: number;
  // Where the events go: set by whoever made the parser, before the stream's first 'data'.
  receiver: MessageReceiver | null = null;
  private freed = false;

  constructor(
    readonly stream: Duplex,
    role: number,
    settings: NativeSettings,
  ) {
    this.id = binding.createParser(role, settings);
    registerStream(this.id, this);
    stream.on('data', this.onStreamData);
    stream.on('end', this.onStreamEnd);
  }

  /** Parses `chunk` now (the stream's 'data'); returns the bytes consumed. */
  execute(chunk: Buffer): number {
    return binding.execute(this.id, chunk);
  }

  /** Stops parsing: the stream is left to whoever has it now. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.stream.removeListener('data', this.onStreamData);
    this.stream.removeListener('end', this.onStreamEnd);
    forgetStream(this.id);
    binding.destroy(this.id);
  }

  private readonly onStreamData = (chunk: Buffer | string): void => {
    this.execute(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  };

  private readonly onStreamEnd = (): void => {
    if (!this.freed) binding.finish(this.id);
  };

  onHead(code: number, text: string, major: number, minor: number, rawHeaders: string[], flags: number): number | void {
    return this.receiver?.onHead(code, text, major, minor, rawHeaders, flags);
  }

  onUpgrade(head: Buffer | undefined): void {
    this.receiver?.onUpgrade(head);
  }

  onBody(chunk: Buffer): void {
    this.receiver?.onBody(chunk);
  }

  onMessageEnd(rawTrailers: string[] | undefined): void {
    this.receiver?.onMessageEnd(rawTrailers);
  }

  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined, status: number): void {
    this.receiver?.onParseError(code, reason, bytesParsed, rawPacket, status);
  }

  onEnd(): void {
    this.receiver?.onEnd();
  }

  // The transport events are the stream's own ('connect', 'drain', 'timeout', 'close'): native
  // has none for a stream it does not carry.
  onConnect(): void {}

  onDrain(): void {}

  onTimeout(): void {}

  onClose(): void {}

  // Only a native connection has raw reads to report.
  onData(): void {}
}
