// What a native server connection has in place of its net.Socket until user code can see the
// socket (docs/ARCHITECTURE.md, "When the socket is made"). A net.Socket is a Duplex with two
// stream states, listener arrays and a handful of closures: most of the per-connection JS a
// `Connection: close` request costs, and most of what an idle keep-alive connection holds in
// JS. The server's own request/response path needs none of it (the parser reads natively and
// messages are written natively), only this: the native id, the output bookkeeping, what was
// set on the connection (timeout, noDelay, keep-alive, pause) and the responses' 'close'
// listeners. Whatever hands the socket to user code calls _visible(), which makes the real
// Socket from this state (Socket._takeOver) and moves the connection to it; anything rare that
// the stand-in does not carry itself does the same and forwards.
import { getDefaultHighWaterMark } from 'stream';

import { binding } from './binding';
import { forgetStream, registerStream, StreamOwner } from './native-events';
import {
  HeldWrite,
  MessageReceiver,
  MessageSink,
  NativeOutput,
  pieceLength,
  sendCorkedWrites,
  sendToNative,
  Socket,
  SocketOwner,
  timeoutMs,
  watchNativeDrain,
} from './socket';

type Listener = (...args: any[]) => void;

/** The server connection a stand-in belongs to. */
export interface StandInOwner extends SocketOwner, MessageReceiver {
  readonly server: { readonly highWaterMark?: number };
  // The real socket was made: whatever held the stand-in holds the socket from now on.
  onSocketMade(socket: Socket): void;
  // Whether somebody would hear the connection's errors ('clientError' listeners): the socket
  // is then made, as it is handed to them.
  hearsSocketErrors(): boolean;
}

export function isStandIn(socket: unknown): socket is SocketStandIn {
  return socket instanceof SocketStandIn;
}

export class SocketStandIn implements StreamOwner, MessageSink, NativeOutput {
  readonly _id: number;
  // Set by the server as soon as the connection exists.
  _owner!: StandInOwner;
  // The message currently allowed to write (Node's socket._httpMessage).
  _httpMessage: unknown = null;
  // The socket, once made (every call forwards to it from then on).
  _real: Socket | null = null;
  timeout: number | undefined = undefined;
  _noDelay: boolean | null = null;
  _keepAlive: [boolean, number] | null = null;
  _pausedForReader = false;
  _pausedByUser = false;
  _sent = 0;
  _queuedNatively = 0;
  // As a net.Socket's Writable counts them (OutgoingMessage.end() sets the count to 1 before
  // its last uncork, through _writableState).
  corked = 0;
  _corkedWrites: HeldWrite[] | null = null;
  _corkedBytes = 0;
  _drainAfterUncork = false;
  destroyed = false;
  // end() was called, or the last write ends the connection: native closes once it is sent.
  _ending = false;
  // The peer ended its side.
  _inputEnded = false;
  _nativeClosed = false;
  _readBeforeClose = 0;
  _closeError = 0;
  _closeEmitted = false;
  // The 'close' listeners of the responses (assignSocket) and of req.signal, in order: most
  // of the time one, the current response's, so one needs no array.
  _closeListener: Listener | null = null;
  _moreCloseListeners: Listener[] | null = null;

  constructor(id: number) {
    this._id = id;
    registerStream(id, this);
  }

  // Read from the server rather than kept here: an idle connection holds as little as it can.
  get server(): StandInOwner['server'] {
    return this._owner.server;
  }

  // The server's highWaterMark option, for the socket when it is made.
  get _highWaterMarkOption(): number | undefined {
    return this._owner.server.highWaterMark;
  }

  get writableHighWaterMark(): number {
    return this._owner.server.highWaterMark ?? getDefaultHighWaterMark(false);
  }

  /** The socket user code sees: made now if it was not yet. */
  _visible(): Socket {
    let socket = this._real;
    if (socket === null) {
      socket = Socket._takeOver(this);
      this._real = socket;
      if (!this._nativeClosed) registerStream(this._id, socket);
      this._owner.onSocketMade(socket);
    }
    return socket;
  }

  get readableHighWaterMark(): number {
    return this.writableHighWaterMark;
  }

  get writable(): boolean {
    return this._real !== null ? this._real.writable : !this.destroyed && !this._ending;
  }

  get writableCorked(): number {
    return this._real !== null ? this._real.writableCorked : this.corked;
  }

  get _writableState(): { corked: number } {
    return this._real !== null ? (this._real as unknown as { _writableState: { corked: number } })._writableState : this;
  }

  // --- What the server's request/response path does to its socket --------------------------

  setTimeout(milliseconds: number, callback?: () => void): this {
    if (callback !== undefined || this._real !== null) {
      this._visible().setTimeout(milliseconds, callback);
      return this;
    }
    this.timeout = milliseconds;
    if (!this.destroyed) binding.setTimeout(this._id, timeoutMs(milliseconds));
    return this;
  }

  setNoDelay(noDelay = true): this {
    if (this._real !== null) {
      this._real.setNoDelay(noDelay);
      return this;
    }
    this._noDelay = Boolean(noDelay);
    if (!this.destroyed) binding.setNoDelay(this._id, this._noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this._real !== null) {
      this._real.setKeepAlive(enable, initialDelay);
      return this;
    }
    const on = Boolean(enable);
    const seconds = Math.floor((initialDelay || 0) / 1000);
    this._keepAlive = [on, seconds];
    if (!this.destroyed) binding.setKeepAlive(this._id, on, seconds);
    return this;
  }

  // The server stops reading while too many requests wait for their responses.
  pause(): this {
    if (this._real !== null) {
      this._real.pause();
      return this;
    }
    this._pausedByUser = true;
    if (!this.destroyed) binding.pause(this._id);
    return this;
  }

  resume(): this {
    if (this._real !== null) {
      this._real.resume();
      return this;
    }
    this._pausedByUser = false;
    if (!this.destroyed && !this._pausedForReader) binding.resume(this._id);
    return this;
  }

  _pauseForReader(): void {
    if (this._real !== null) return this._real._pauseForReader();
    if (this._pausedForReader) return;
    this._pausedForReader = true;
    if (!this.destroyed) binding.pause(this._id);
  }

  _resumeForReader(): void {
    if (this._real !== null) return this._real._resumeForReader();
    if (!this._pausedForReader) return;
    this._pausedForReader = false;
    if (!this.destroyed && !this._pausedByUser) binding.resume(this._id);
  }

  cork(): void {
    if (this._real !== null) this._real.cork();
    else this.corked++;
  }

  uncork(): void {
    if (this._real !== null) {
      this._real.uncork();
      return;
    }
    if (this.corked === 0) return;
    if (--this.corked === 0) sendCorkedWrites(this);
  }

  // As net.Socket's end(): what was written while corked leaves first; native shuts the write
  // side down once everything is sent, and closes.
  end(): this {
    if (this._real !== null) {
      this._real.end();
      return this;
    }
    if (this.corked > 0) {
      this.corked = 0;
      sendCorkedWrites(this);
    }
    if (this._ending || this.destroyed) return this;
    this._ending = true;
    binding.end(this._id);
    return this;
  }

  // Native closes the connection after its end (a net.Socket's destroySoon waits for 'finish').
  destroySoon(): void {
    if (this._real !== null) this._real.destroySoon();
    else this.end();
  }

  destroy(error?: Error): this {
    if (this._real !== null || (error !== undefined && !this.destroyed && this._owner.hearsSocketErrors())) {
      this._visible().destroy(error);
      return this;
    }
    if (this.destroyed) return this;
    this.destroyed = true;
    this._owner.onSocketDestroyed();
    if (!this._nativeClosed) binding.destroy(this._id);
    return this;
  }

  // Only 'close' is carried here (the responses' and req.signal's listeners); a listener for
  // anything else comes from user code, which gets the socket.
  on(event: string, listener: Listener): this {
    if (event !== 'close' || this._real !== null) this._visible().on(event, listener);
    else if (this._closeListener === null && this._moreCloseListeners === null) this._closeListener = listener;
    else (this._moreCloseListeners ??= []).push(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    if (event !== 'close' || this._real !== null) {
      this._visible().once(event, listener);
      return this;
    }
    const self = this;
    function onceWrapper(this: unknown, ...args: unknown[]): void {
      self.removeListener('close', onceWrapper);
      listener.apply(this, args);
    }
    onceWrapper.listener = listener;
    return this.on('close', onceWrapper);
  }

  /** The 'close' listeners carried here, in the order they were added. */
  _closeListeners(): Listener[] {
    const first = this._closeListener;
    const more = this._moreCloseListeners ?? [];
    return first === null ? [...more] : [first, ...more];
  }

  removeListener(event: string, listener: Listener): this {
    if (this._real !== null) {
      this._real.removeListener(event, listener);
      return this;
    }
    if (event !== 'close') return this;
    const matches = (candidate: Listener & { listener?: Listener }): boolean => candidate === listener || candidate.listener === listener;
    const more = this._moreCloseListeners;
    if (more !== null) {
      for (let i = more.length - 1; i >= 0; i--) {
        if (!matches(more[i])) continue;
        more.splice(i, 1);
        if (more.length === 0) this._moreCloseListeners = null;
        return this;
      }
    }
    if (this._closeListener !== null && matches(this._closeListener)) this._closeListener = null;
    return this;
  }

  // --- The message sink ---------------------------------------------------------------------

  _writeMessage(
    prefix: string | undefined,
    body: string | ArrayBufferView | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    flags: number,
  ): number {
    if (this._real !== null) return this._real._writeMessage(prefix, body, encoding, suffix, flags);
    this._sent += pieceLength(prefix, body, encoding, suffix);
    if (this.destroyed) return -1;
    return sendToNative(this, prefix, body, encoding, suffix, flags);
  }

  _writeRaw(data: string | ArrayBufferView, encoding?: BufferEncoding): number {
    return this._writeMessage(undefined, data, encoding, undefined, 0);
  }

  _watchDrain(): void {
    if (this._real !== null) this._real._watchDrain();
    else watchNativeDrain(this);
  }

  _endedWithLastWrite(): void {
    if (this._real !== null) this._real._endedWithLastWrite();
    else this._ending = true;
  }

  // --- Events from native (native-events.ts), until the socket is made -----------------------

  onConnect(): void {}

  onHead(code: number, text: string, major: number, minor: number, rawHeaders: string[], flags: number): number | void {
    return this._owner.onHead(code, text, major, minor, rawHeaders, flags);
  }

  onUpgrade(head: Buffer | undefined): void {
    this._owner.onUpgrade(head);
  }

  onBody(chunk: Buffer): void {
    this._owner.onBody(chunk);
  }

  onMessageEnd(rawTrailers: string[] | undefined): void {
    this._owner.onMessageEnd(rawTrailers);
  }

  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined, status: number): void {
    this._owner.onParseError(code, reason, bytesParsed, rawPacket, status);
  }

  onEnd(): void {
    this._inputEnded = true;
    this._owner.onEnd();
  }

  onDrain(): void {
    this._queuedNatively = 0;
    this._owner.onSocketDrain();
  }

  onTimeout(): void {
    this._owner.onSocketTimeout();
  }

  onData(): void {}

  onClose(errno: number, bytesRead: number): void {
    if (errno !== 0 && !this.destroyed && this._owner.hearsSocketErrors()) {
      // A read error goes to 'clientError' with the socket, as on Node: the socket closes it.
      const socket = this._visible();
      forgetStream(this._id);
      socket.onClose(errno, bytesRead);
      return;
    }
    this._nativeClosed = true;
    this._readBeforeClose = bytesRead;
    this._closeError = errno;
    // As Socket.onClose: destroyed before the owner hears of the close.
    const destroyedBefore = this.destroyed;
    if (!destroyedBefore) {
      this.destroyed = true;
      this._owner.onSocketDestroyed();
    }
    this._owner.onSocketClose(errno !== 0);
    // With nobody listening (the usual case: the last response has let go of the connection)
    // there is no 'close' to wait a tick for.
    if (destroyedBefore || (this._closeListener === null && this._moreCloseListeners === null)) emitClose(this);
    else process.nextTick(emitClose, this);
  }
}

// 'close' once, to the listeners the stand-in carries (or to the socket's, if it was made
// meanwhile: Socket._takeOver moved them there).
function emitClose(standIn: SocketStandIn): void {
  if (standIn._closeEmitted || standIn._real !== null) return;
  standIn._closeEmitted = true;
  for (const listener of standIn._closeListeners()) listener.call(standIn, standIn._closeError !== 0);
}

