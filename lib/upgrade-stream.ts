// What 'upgrade' is given on Node 26 when the upgrade request's body is still arriving
// (nodejs/node#60016): the body belongs to the request and the bytes after it to the new
// protocol, so the listener cannot have the socket yet. It gets a duplex over the socket that
// writes straight through and reads nothing until the body has ended; from then on it reads what
// followed the body and whatever the socket reads after.
import { Duplex } from 'node:stream';

import type { IncomingMessage } from './incoming-message';

type SocketLike = Duplex & { allowHalfOpen?: boolean };

export class UpgradeStream extends Duplex {
  private readonly _upgradeSocket: SocketLike;
  // Until its body has ended: reading the stream makes the body flow, or it would never end
  // for a listener that only reads the stream.
  private _upgradeRequest: IncomingMessage | null;

  constructor(socket: SocketLike, req: IncomingMessage) {
    super({ allowHalfOpen: socket.allowHalfOpen });
    this._upgradeSocket = socket;
    this._upgradeRequest = req;
    // The socket's end and failure are the stream's at once, whether or not the body is done.
    socket.on('error', (error: Error) => this.destroy(error));
    socket.on('close', () => this.destroy());
    this.on('close', () => socket.destroy());
    socket.on('end', () => {
      this.push(null);
      // As a socket: 'end' comes without a 'data' listener when nothing is left to read.
      if (this.readableLength === 0) this.resume();
    });
  }

  /** The request's body has ended; `rest` is what followed it in the same read. */
  bodyEnded(rest: Buffer): void {
    this._upgradeRequest = null;
    const socket = this._upgradeSocket;
    if (rest.length > 0 && !this.push(rest)) socket.pause();
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
  }

  override _read(): void {
    this._upgradeRequest?.resume();
    this._upgradeSocket.resume();
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._upgradeSocket.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this._upgradeSocket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this._upgradeSocket.destroy(error ?? undefined);
    callback(error);
  }
}
