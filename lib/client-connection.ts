// The client side of one exchange on a connection: a request's response as the parser delivers
// it (Node's parser per request, its parserOnIncomingClient and socketOnData). It turns the
// response head into an IncomingMessage, decides what follows it (a body, none, or a hand-over
// to another protocol), and lets the connection go back to the pool when the response is done.
// The same over a native connection and over a stream we do not own (transport.ts).
import { Buffer } from 'buffer';
import * as diagnostics from 'diagnostics_channel';
import type { Duplex } from 'stream';

import {
  HEAD_ANSWER_CONTINUE,
  HEAD_ANSWER_HAND_OFF,
  HEAD_ANSWER_SKIP_BODY,
  HEAD_CHUNKED,
  HEAD_COMPLETE,
  HEAD_KEEP_ALIVE,
  HEAD_UPGRADE,
} from './binding';
import { parserError } from './errors';
import { lowercase } from './headers';
import { fillIncoming, fillTrailers } from './http-common';
import { IncomingMessage } from './incoming-message';
import { MessageReceiver, Socket } from './socket';
import type { Transport } from './transport';

const responseFinishChannel = diagnostics.channel('http.client.response.finish');

/** What the exchange needs of its request (ClientRequest). */
export interface ExchangeRequest {
  method: string;
  res: IncomingMessage | null;
  socket: Duplex | null;
  shouldKeepAlive: boolean;
  upgradeOrConnect: boolean;
  aborted: boolean;
  maxHeadersCount: number | null;
  joinDuplicateHeaders: boolean | undefined;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
  _startResponse(res: IncomingMessage): void;
  _responseError(error: Error): void;
  _handOver(res: IncomingMessage, socket: Duplex, head: Buffer): void;
  _peerEnded(): void;
}

// RFC 9110 §15.2: 1xx responses other than 101 are interim; the final one follows.
function isInformational(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

export class ClientExchange implements MessageReceiver {
  // The response being received (Node's parser.incoming).
  incoming: IncomingMessage | null = null;
  private freed = false;
  // The response's body runs to the end of the connection (RFC 9112 §6.3 item 8): its end is the
  // connection's, and comes with the socket's 'end' (below).
  private closeDelimited = false;
  // The connection's end reached native; its handling waits for the socket's 'end'.
  private waitingForSocketEnd = false;

  constructor(
    readonly req: ExchangeRequest,
    readonly transport: Transport,
    // Detaches this exchange from the connection (Node's freeParser).
    private readonly release: () => void,
  ) {}

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.incoming = null;
    this.release();
  }

  onHead(status: number, reason: string, major: number, minor: number, rawHeaders: string[], flags: number): number {
    const req = this.req;
    const socket = this.transport.socket;
    const res = new IncomingMessage(socket as never);
    fillIncoming(res, major, minor, rawHeaders, req.maxHeadersCount, req.joinDuplicateHeaders);
    res.httpVersion = `${major}.${minor}`;
    res.statusCode = status;
    res.statusMessage = reason;
    res.upgrade = (flags & HEAD_UPGRADE) !== 0;
    res._flow = this.transport;
    this.incoming = res;
    const answer = this.onIncoming(res, (flags & HEAD_KEEP_ALIVE) !== 0);
    // A response without a body by its framing ends with its head.
    if (answer !== HEAD_ANSWER_HAND_OFF && (flags & HEAD_COMPLETE) !== 0) this.complete(undefined);
    else if (answer === HEAD_ANSWER_CONTINUE && (flags & (HEAD_KEEP_ALIVE | HEAD_CHUNKED)) === 0) {
      this.closeDelimited = this.incoming === res && !hasContentLength(rawHeaders);
    }
    return answer;
  }

  // Node's parserOnIncomingClient: what the head means for the request.
  private onIncoming(res: IncomingMessage, shouldKeepAlive: boolean): number {
    const req = this.req;
    if (req.res !== null) {
      // A second response to one request: the server cannot be trusted.
      this.transport.socket.destroy();
      return HEAD_ANSWER_CONTINUE;
    }
    req.res = res;
    if (res.upgrade) return HEAD_ANSWER_HAND_OFF;
    // A response to CONNECT is a tunnel, whatever its status (as Node treats it).
    if (req.method === 'CONNECT') {
      res.upgrade = true;
      return HEAD_ANSWER_HAND_OFF;
    }
    const status = res.statusCode as number;
    if (isInformational(status)) {
      req.res = null;
      if (status === 100) req.emit('continue');
      req.emit('information', {
        statusCode: res.statusCode,
        statusMessage: res.statusMessage,
        httpVersion: res.httpVersion,
        httpVersionMajor: res.httpVersionMajor,
        httpVersionMinor: res.httpVersionMinor,
        headers: res.headers,
        rawHeaders: res.rawHeaders,
      });
      // The interim response's end is not the exchange's.
      this.incoming = null;
      return HEAD_ANSWER_SKIP_BODY;
    }
    // RFC 9112 §9.3: the connection persists only if the server says so too.
    if (req.shouldKeepAlive && !shouldKeepAlive && !req.upgradeOrConnect) req.shouldKeepAlive = false;
    if (responseFinishChannel.hasSubscribers) responseFinishChannel.publish({ request: req, response: res });
    (res as IncomingMessage & { req?: unknown }).req = req;
    req._startResponse(res);
    // Nobody listens for 'response': nobody can read the body, which still has to come off
    // the wire (Node's _dump).
    if (req.aborted || !req.emit('response', res)) res._dump();
    if (req.method === 'HEAD') return HEAD_ANSWER_SKIP_BODY;
    if (status === 304) {
      res.complete = true;
      return HEAD_ANSWER_SKIP_BODY;
    }
    return HEAD_ANSWER_CONTINUE;
  }

  onBody(chunk: Buffer): void {
    const res = this.incoming;
    if (res === null || res._dumped) return;
    if (!res.push(chunk)) this.transport.pauseForReader();
  }

  onMessageEnd(rawTrailers: string[] | undefined): void {
    // Native ends a close-delimited body as it sees the connection's end, just before onEnd.
    if (this.closeDelimited && this.endsWithSocketEnd()) return;
    this.complete(rawTrailers);
  }

  // Node's parserOnMessageComplete, then socketOnData's release of a finished exchange.
  private complete(rawTrailers: string[] | undefined): void {
    const res = this.incoming;
    if (res === null) return;
    res.complete = true;
    fillTrailers(res, rawTrailers);
    res.push(null);
    this.free();
    this.trailAfterResponse();
  }

  // Node's socketOnData gives the whole read to the request's parser: bytes after the response
  // in the same read are still the request's. Garbage there is the request's 'error' (after its
  // 'response', the socket destroyed); a second response destroys the socket (as onIncoming
  // does). From the next read on, the connection is idle and its bytes are nobody's (the
  // socket's own handling). The parser's events of one read run before the ticks they queue.
  private trailAfterResponse(): void {
    const socket = this.transport.socket as Duplex & { _receiver?: MessageReceiver | null };
    if (!('_receiver' in socket) || socket._receiver !== null) return;
    const trailing = new TrailingReceiver(socket as TrailingSocket, this.req);
    socket._receiver = trailing;
    process.nextTick(endTrailing, trailing);
  }

  onUpgrade(head: Buffer): void {
    const req = this.req;
    const res = this.incoming;
    if (res === null) return;
    this.incoming = null;
    const eventName = req.method === 'CONNECT' ? 'connect' : 'upgrade';
    if (req.listenerCount(eventName) === 0) {
      // Asked for a protocol change (or a tunnel) but nobody takes it.
      this.free();
      this.transport.socket.destroy();
      return;
    }
    this.handOverWhenReady(res, head);
  }

  // The connection goes to the 'upgrade' or 'connect' listener once what was queued on it has
  // left (asked again on drain).
  private handOverWhenReady(res: IncomingMessage, head: Buffer): void {
    const outcome = this.transport.handOver();
    if ('wait' in outcome) {
      this.transport.socket.once('drain', () => this.handOverWhenReady(res, head));
      return;
    }
    this.free();
    if ('error' in outcome) {
      this.req._responseError(new Error(`the connection could not be handed over (${outcome.error})`));
      this.transport.socket.destroy();
      return;
    }
    this.req._handOver(res, outcome.socket, head);
  }

  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void {
    this.free();
    const error = parserError(code, reason, bytesParsed, rawPacket ?? Buffer.alloc(0));
    this.transport.socket.destroy();
    this.req._responseError(error);
  }

  // The peer ended its side (after the end of a response framed by the close, if any).
  onEnd(): void {
    if (this.endsWithSocketEnd()) return;
    this.peerEnded();
  }

  // Node's socketOnEnd: the parser's finish (the end of a close-delimited body), then "socket
  // hang up" if no response came, and the socket's destruction.
  private peerEnded(): void {
    if (this.closeDelimited) {
      this.closeDelimited = false;
      this.complete(undefined);
    }
    this.free();
    this.req._peerEnded();
  }

  // Node handles the end of the connection in the socket's 'end' listener, which runs before
  // those the user added once the request had the socket: a native socket's 'end' comes on a
  // later tick than native's report of it, so the handling waits for it. (A stream we feed
  // reports its 'end' from that listener already.) True when it waits.
  private endsWithSocketEnd(): boolean {
    const socket = this.transport.socket;
    if (!(socket instanceof Socket) || this.waitingForSocketEnd) return this.waitingForSocketEnd;
    this.waitingForSocketEnd = true;
    socket.prependOnceListener('end', () => this.peerEnded());
    return true;
  }
}

type TrailingSocket = Duplex & { _receiver: MessageReceiver | null };

// What the rest of the read that ended a response gets (trailAfterResponse).
class TrailingReceiver implements MessageReceiver {
  constructor(
    readonly socket: TrailingSocket,
    readonly req: ExchangeRequest,
  ) {}

  onHead(): number {
    this.socket.destroy();
    return HEAD_ANSWER_CONTINUE;
  }

  onUpgrade(): void {}

  onBody(): void {}

  onMessageEnd(): void {}

  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void {
    this.socket._receiver = null;
    this.socket.destroy();
    this.req._responseError(parserError(code, reason, bytesParsed, rawPacket ?? Buffer.alloc(0)));
  }

  onEnd(): void {}
}

function endTrailing(trailing: TrailingReceiver): void {
  if (trailing.socket._receiver === trailing) trailing.socket._receiver = null;
}

// Whether a response's fields include a Content-Length (which frames its body).
function hasContentLength(rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 14 && lowercase(rawHeaders[i]) === 'content-length') return true;
  }
  return false;
}
