// The server side of one HTTP/1.1 connection: turns parser events into IncomingMessage and
// ServerResponse objects, keeps responses in request order (RFC 9112 §9.3.2), and decides when
// the connection ends. The same over a native connection and over a stream we do not own
// (transport.ts).
import * as diagnostics from 'diagnostics_channel';

import { HEAD_ANSWER_CONTINUE, HEAD_ANSWER_HAND_OFF, HEAD_ANSWER_HAND_OFF_AFTER_BODY, HEAD_COMPLETE, HEAD_KEEP_ALIVE, HEAD_UPGRADE } from './binding';
import { connectionReset, ParserError, parserError, systemError, requestTimeoutError } from './errors';
import { lowercase } from './headers';
import { fillIncoming, fillTrailers } from './http-common';
import type { IncomingMessage } from './incoming-message';
import { METHODS } from './methods';
import {
  closeIdleTakesUnusedConnections,
  hasIncomingSignal,
  hasShouldUpgradeCallback,
  queuedResponsesClosedWithConnection,
  upgradeBodyGoesToRequest,
} from './node-features';
import type { Server } from './server';
import type { MessageOwner, OutgoingMessage } from './outgoing-message';
import { emitClose, expectsContinue, ServerResponse } from './server-response';
import type { MessageReceiver, Socket, SocketOwner } from './socket';
import { isStandIn, SocketStandIn, StandInOwner } from './socket-stand-in';
import type { Transport } from './transport';
import { UpgradeStream } from './upgrade-stream';

// Published as Node's http.Server publishes it, before the response takes the socket.
const requestStartChannel = diagnostics.channel('http.server.request.start');

// How many requests may wait for their responses before the connection stops reading: a flood
// of pipelined requests whose handlers never answer cannot grow memory without bound.
const MAX_PENDING_REQUESTS = 256;

const METHOD_CONNECT = METHODS.indexOf('CONNECT');
// The empty queue every connection shares (never written: a queue that gets a message is
// replaced by a literal of its own first).
const NO_MESSAGES: never[] = [];

// Node's default answers to a request the parser rejected, when no 'clientError' listener does.
const ERROR_RESPONSES: { [status: number]: string } = {
  400: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  408: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  413: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  414: 'HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n\r\n',
  431: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  501: 'HTTP/1.1 501 Not Implemented\r\nConnection: close\r\n\r\n',
  505: 'HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\n\r\n',
};

export class ServerConnection implements MessageReceiver, SocketOwner, StandInOwner, MessageOwner {
  readonly server: Server;
  readonly transport: Transport;
  // The native Socket, the stream given to emit('connection'), or the stand-in of a native
  // connection whose socket nobody has seen yet (visibleSocket makes it).
  socket: Socket | SocketStandIn;
  // Requests whose responses have not finished, oldest first. Usually one: the queue is made
  // as a one-element literal when it is empty and goes back to the shared NO_MESSAGES when it
  // empties, so an idle connection holds no array of its own (32 bytes each; push() into []
  // grew a 17-slot store for every request, and `length = 0` freed it through a runtime call:
  // ~2.6k instructions per request).
  private incoming: IncomingMessage[] = NO_MESSAGES;
  // Responses waiting for the ones before them to finish (pipelining), kept the same way.
  private outgoing: ServerResponse[] = NO_MESSAGES;
  // The request whose body is arriving.
  private receiving: IncomingMessage | null = null;
  private requestsCount = 0;
  private pausedForBacklog = false;
  // A parse error whose answer waits for the responses already due (see onParseError).
  private deferredError: ParserError | null = null;
  private deferredStatus = 0;
  // An upgrade or CONNECT request being handed over, and the bytes that followed its head (from
  // Node 26, its body's end: null while that body is arriving).
  private upgrading: IncomingMessage | null = null;
  private upgradeHead: Buffer | null = null;
  // Node 26: a read ended inside that body, and the stream the listener is given meanwhile.
  private upgradeBodyPending = false;
  private upgradeStream: UpgradeStream | null = null;
  // The request without a body whose 'request' event is being emitted.
  private bodilessInDispatch: IncomingMessage | null = null;
  // Node's socketOnError, once there is a socket to listen on.
  private errorListener: ((error: Error) => void) | null = null;

  constructor(server: Server, transport: Transport) {
    this.server = server;
    this.transport = transport;
    const socket = transport.socket as Socket | SocketStandIn;
    this.socket = socket;
    if (!isStandIn(socket)) {
      socket.server = server;
      this.listenForErrors(socket);
    }
    if (server.timeout) socket.setTimeout(server.timeout);
  }

  // As Node's connectionListener: socket errors go to 'clientError'.
  private listenForErrors(socket: Socket): void {
    this.errorListener ??= (error: Error): void => this.onSocketError(error);
    socket.on('error', this.errorListener);
  }

  /** The socket user code is given: made now if the connection still has its stand-in. */
  get visibleSocket(): Socket {
    const socket = this.socket;
    return isStandIn(socket) ? socket._visible() : socket;
  }

  // The stand-in's socket was made: the connection, its transport and the messages it tracks
  // use the socket from now on (the stand-in forwards to it for anything else holding it).
  onSocketMade(socket: Socket): void {
    const standIn = this.socket;
    this.socket = socket;
    (this.transport as { socket: unknown }).socket = socket;
    this.listenForErrors(socket);
    const adopt = (message: { _socket: unknown; _sink?: unknown } | null): void => {
      if (message === null) return;
      if (message._socket === standIn) message._socket = socket;
      if (message._sink === standIn) message._sink = socket;
    };
    for (const req of this.incoming) adopt(req);
    for (const res of this.outgoing) adopt(res);
    adopt(this.receiving);
    adopt(this.upgrading);
    adopt(socket._httpMessage as ServerResponse | null);
  }

  hearsSocketErrors(): boolean {
    return this.server.listenerCount('clientError') > 0;
  }

  // Returns HEAD_ANSWER_HAND_OFF to take the connection for an 'upgrade' or 'connect' listener.
  onHead(method: number, url: string, major: number, minor: number, rawHeaders: string[], flags: number): number {
    let made: IncomingMessage | null = null;
    if ((flags & HEAD_UPGRADE) !== 0) {
      const handOff = this.prepareHandOff(method, url, major, minor, rawHeaders);
      if (handOff === HEAD_ANSWER_HAND_OFF && upgradeBodyGoesToRequest && (flags & HEAD_COMPLETE) === 0) {
        // Node 26: the body is the request's, and the hand-over comes at its end.
        const req = this.upgrading as IncomingMessage;
        req._flow = this.transport;
        this.receiving = req;
        return HEAD_ANSWER_HAND_OFF_AFTER_BODY;
      }
      if (typeof handOff === 'number') return handOff;
      made = handOff ?? null;
    }
    // As with Node's parser, the end of a bodiless message is seen after 'request' returns.
    const req = this.dispatch(method, url, major, minor, rawHeaders, flags, made);
    this.bodilessInDispatch = null;
    if ((flags & HEAD_COMPLETE) !== 0) {
      req.complete = true;
      req.push(null);
    } else {
      this.receiving = req;
    }
    return HEAD_ANSWER_CONTINUE;
  }

  // Node's rule (parserOnIncoming): an upgrade request goes to 'upgrade' listeners if there are
  // any, a CONNECT to 'connect' listeners; a CONNECT nobody listens for closes the connection,
  // and an upgrade nobody listens for is an ordinary request (undefined here). From Node 22.21
  // and 24.9 server.shouldUpgradeCallback(req) decides instead of the listener count (an
  // upgrade nobody listens for then closes the connection too); a request it turns down is an
  // ordinary request, the same object (returned here for dispatch).
  private prepareHandOff(method: number, url: string, major: number, minor: number, rawHeaders: string[]): number | IncomingMessage | undefined {
    const isConnect = method === METHOD_CONNECT;
    const server = this.server;
    let req: IncomingMessage | null = null;
    if (!isConnect) {
      if (!hasShouldUpgradeCallback) {
        if (server.listenerCount('upgrade') === 0) return undefined;
      } else {
        req = new server._IncomingMessage(this.socket);
        this.fillRequest(req, method, url, major, minor, rawHeaders);
        if (!server.shouldUpgradeCallback(req)) return req;
      }
    }
    if (server.listenerCount(isConnect ? 'connect' : 'upgrade') === 0) {
      this.socket.destroy();
      return HEAD_ANSWER_CONTINUE;
    }
    if (req === null) {
      req = new server._IncomingMessage(this.socket);
      this.fillRequest(req, method, url, major, minor, rawHeaders);
    }
    req.upgrade = true;
    this.upgrading = req;
    return HEAD_ANSWER_HAND_OFF;
  }

  // The head of an upgrade or CONNECT was the last thing parsed (from Node 26, the end of its
  // body); `head` is what followed it. Undefined: a read ended inside that body.
  onUpgrade(head: Buffer | undefined): void {
    const req = this.upgrading;
    if (head === undefined) {
      this.upgradeBodyPending = true;
    } else {
      this.upgradeHead = head;
      // Node 26: the body's end is pushed here rather than at its message end, which comes just
      // before: as in Node's one parser execute, the stream then reads what followed the body
      // before the request's 'end' (a tick later).
      if (upgradeBodyGoesToRequest && req !== null && !req.complete) {
        req.complete = true;
        req.push(null);
      }
    }
    this.handOff();
  }

  // Gives the connection to the 'upgrade' or 'connect' listener once nothing queued before it
  // is left: the responses to earlier requests are finished and their bytes sent (Node's
  // socket writes them before the listener's 101). Called again when either happens.
  private handOff(): void {
    const req = this.upgrading;
    if (req === null || this.incoming.length > 0) return;
    if (this.upgradeHead === null) {
      // As on Node 26, the listener does not wait for a body still arriving: it gets a stream
      // that starts after it.
      if (this.upgradeBodyPending && this.upgradeStream === null) this.emitUpgradeStream(req);
      return;
    }
    const outcome = this.transport.handOver();
    if ('wait' in outcome) return;
    this.upgrading = null;
    const head = this.upgradeHead as Buffer;
    this.upgradeHead = null;
    if ('error' in outcome) {
      // Native closed the connection (its close event follows): the request cannot be handed
      // over. Said as a socket error is said on Node, to 'clientError'.
      req.destroy();
      this.onSocketError(systemError(outcome.error, 'dup'));
      return;
    }
    const socket = outcome.socket;
    const own = this.transport.socket;
    if (this.errorListener !== null) own.removeListener('error', this.errorListener);
    const native = own as Partial<Socket>;
    if (native._receiver !== undefined) {
      native._receiver = null;
      native._owner = null;
    }
    if (socket !== own) (socket as typeof socket & { server?: unknown }).server = this.server;
    this.server._connectionClosed(this);
    const stream = this.upgradeStream;
    if (stream !== null) {
      this.upgradeStream = null;
      stream.bodyEnded(head);
      return;
    }
    // As Node: the new protocol's reader decides how the socket flows.
    (socket as unknown as { readableFlowing: boolean | null }).readableFlowing = null;
    req.socket = socket as unknown as Socket;
    req.client = socket as unknown as Socket;
    // Before Node 26, the request of an upgrade is complete once its head is.
    if (!req.complete) {
      req.complete = true;
      req.push(null);
    }
    this.server.emit(req.method === 'CONNECT' ? 'connect' : 'upgrade', req, socket, head);
  }

  private emitUpgradeStream(req: IncomingMessage): void {
    const socket = this.visibleSocket;
    const stream = new UpgradeStream(socket, req);
    this.upgradeStream = stream;
    (socket as unknown as { readableFlowing: boolean | null }).readableFlowing = null;
    this.server.emit(req.method === 'CONNECT' ? 'connect' : 'upgrade', req, stream, Buffer.alloc(0));
  }

  // `made`: the request shouldUpgradeCallback was given (already filled), if any.
  private dispatch(method: number, url: string, major: number, minor: number, rawHeaders: string[], flags: number, made: IncomingMessage | null): IncomingMessage {
    const server = this.server;
    const socket = this.socket;
    let req = made;
    if (req === null) {
      req = new server._IncomingMessage(socket);
      this.fillRequest(req, method, url, major, minor, rawHeaders);
    }
    req.upgrade = false;
    req._flow = this.transport;
    if (this.incoming.length === 0) this.incoming = [req];
    else this.incoming.push(req);
    if ((flags & HEAD_COMPLETE) !== 0) this.bodilessInDispatch = req;
    if (this.incoming.length >= MAX_PENDING_REQUESTS && !this.pausedForBacklog) {
      this.pausedForBacklog = true;
      socket.pause();
    }

    const res = new server._ServerResponse(req);
    res.shouldKeepAlive = (flags & HEAD_KEEP_ALIVE) !== 0;
    res._keepAliveTimeout = server.keepAliveTimeout;
    res._maxRequestsPerSocket = server.maxRequestsPerSocket;
    res._highWaterMark = socket.writableHighWaterMark;
    res._uniqueHeaders = server._uniqueHeaders;
    res._rejectNonStandardBodyWrites = server.rejectNonStandardBodyWrites;
    res._owner = this;
    res._sink = this.transport.sink;
    if (server._optimizeEmptyRequests && findHeader(rawHeaders, 'content-length') === undefined && findHeader(rawHeaders, 'transfer-encoding') === undefined) {
      req._dumpAndCloseReadable();
      req._read();
    }
    if (requestStartChannel.hasSubscribers) requestStartChannel.publish({ request: req, response: res, socket: this.visibleSocket, server });
    if (!this.socket._httpMessage) res.assignSocket(this.socket);
    else if (this.outgoing.length === 0) this.outgoing = [res];
    else this.outgoing.push(res);

    if (major === 1 && minor === 1) {
      // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host. Node does
      // it here, after the head, with an ordinary response; so do we (the parser still rejects
      // a repeated or malformed Host).
      if (server.requireHostHeader && findHeader(rawHeaders, 'host') === undefined) {
        res.writeHead(400, ['Connection', 'close']);
        res.end();
        return req;
      }
      const limit = server.maxRequestsPerSocket;
      if (limit > 0) {
        this.requestsCount++;
        res.maxRequestsOnConnectionReached = limit <= this.requestsCount;
        if (limit < this.requestsCount) {
          if (server.listenerCount('dropRequest') > 0) server.emit('dropRequest', req, this.visibleSocket);
          res.writeHead(503);
          res.end();
          return req;
        }
      }
      const expect = findHeader(rawHeaders, 'expect');
      if (expect !== undefined) {
        if (expectsContinue(expect)) {
          res._expect_continue = true;
          if (server.listenerCount('checkContinue') > 0) {
            server.emit('checkContinue', req, res);
          } else {
            res.writeContinue();
            server.emit('request', req, res);
          }
        } else if (server.listenerCount('checkExpectation') > 0) {
          server.emit('checkExpectation', req, res);
        } else {
          // RFC 9110 §10.1.1: an expectation the server cannot meet gets 417.
          res.writeHead(417);
          res.end();
        }
        return req;
      }
    }
    server.emit('request', req, res);
    return req;
  }

  private fillRequest(req: IncomingMessage, method: number, url: string, major: number, minor: number, rawHeaders: string[]): void {
    const server = this.server;
    req.method = METHODS[method];
    req.url = url;
    fillIncoming(req, major, minor, rawHeaders, server.maxHeadersCount, server.joinDuplicateHeaders);
  }

  onBody(chunk: Buffer): void {
    const req = this.receiving;
    if (req === null || req._dumped) return;
    if (!req.push(chunk)) this.transport.pauseForReader();
  }

  onMessageEnd(rawTrailers: string[] | undefined): void {
    const req = this.receiving;
    if (req === null) return;
    this.receiving = null;
    fillTrailers(req, rawTrailers);
    // The body of a request handed over after it ends with the hand-over (onUpgrade, next).
    if (req === this.upgrading) return;
    req.complete = true;
    req.push(null);
  }

  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined, status: number): void {
    // A request that took longer than headersTimeout/requestTimeout carries no parser fields.
    const error = (rawPacket === undefined ? requestTimeoutError() : parserError(code, reason, bytesParsed, rawPacket)) as ParserError;
    // Responses already due on this connection go out before the error's answer: their
    // requests were valid, and their clients are owed an answer in order (RFC 9112 §9.3.2).
    // Not after a handler threw (its response may never come) nor for a request too slow to
    // arrive: Node ends the connection at once.
    const deferrable = rawPacket !== undefined && code !== 'HPE_CB_HEADERS_COMPLETE' && code !== 'HPE_JS_EXCEPTION';
    if (deferrable && this.incoming.length > 0 && !(this.incoming.length === 1 && this.receiving === this.incoming[0])) {
      this.deferredError = error;
      this.deferredStatus = status;
      return;
    }
    this.reportClientError(error, status);
  }

  // The peer ended its side. Node's http.Server does not allow half-open connections
  // (httpAllowHalfOpen is false): the server ends its side too once what is queued is written,
  // and requests still waiting are aborted when the connection closes.
  onEnd(): void {
    const socket = this.socket;
    if (!this.server.httpAllowHalfOpen) {
      socket.end();
      return;
    }
    const last = this.outgoing.length > 0 ? this.outgoing[this.outgoing.length - 1] : (socket._httpMessage as ServerResponse | null);
    if (last) last._last = true;
    else socket.end();
  }

  onSocketDrain(): void {
    if (this.upgrading !== null) {
      this.handOff();
      return;
    }
    const res = this.socket._httpMessage as ServerResponse | null;
    if (res) res._onSocketDrain();
  }

  onSocketTimeout(): void {
    const req = this.incoming.length > 0 ? this.incoming[this.incoming.length - 1] : null;
    const res = this.socket._httpMessage as ServerResponse | null;
    const reqTakes = req !== null && !req.complete && req.listenerCount('timeout') > 0;
    const resTakes = res !== null && res.listenerCount('timeout') > 0;
    const serverTakes = this.server.listenerCount('timeout') > 0;
    // The listeners are handed the socket; with none, a stand-in is destroyed as it is.
    const socket = reqTakes || resTakes || serverTakes ? this.visibleSocket : this.socket;
    if (reqTakes) req.emit('timeout', socket);
    if (resTakes) res.emit('timeout', socket);
    if (serverTakes) this.server.emit('timeout', socket);
    // Node's socketOnTimeout is the socket's first 'timeout' listener: unless the request, the
    // response or the server took the timeout, the connection is destroyed, and a listener
    // the user put on the socket itself runs after that and does not keep it.
    if (!reqTakes && !resTakes && !serverTakes) socket.destroy();
    if (!isStandIn(socket)) socket.emit('timeout');
  }

  // Node's socketOnError: the error goes to 'clientError' listeners; without one the connection
  // is simply destroyed (no error response: the socket already failed).
  onSocketError(error: Error): void {
    if (this.server.listenerCount('clientError') > 0) this.server.emit('clientError', error, this.visibleSocket);
    else this.socket.destroy();
  }

  // As net.Server, which counts a connection out in socket.destroy(): the server's 'close' (and
  // getConnections()) need not wait for the handle to close, and 'close' comes before the
  // sockets' own 'close' events, as on Node.
  onSocketDestroyed(): void {
    this.server._connectionClosed(this);
  }

  // Before the socket's 'close' listeners, as Node's socketOnClose (the first listener the
  // server adds): the requests still waiting are destroyed ('aborted' now, their 'close' on the
  // next tick); responses queued behind the current one close on the next tick (Node 24.16's
  // abortOutgoing; before, they are left as they are, never closed).
  onSocketClose(): void {
    this.server._connectionClosed(this);
    if (queuedResponsesClosedWithConnection) for (const res of this.outgoing) process.nextTick(emitClose, res);
    for (const req of this.incoming) req.destroy(connectionReset('aborted'));
    // Node 26 leaves the body of a request being handed over as it is (that request is not in
    // its list of incoming ones): no 'aborted', no 'close'.
    const receiving = this.receiving;
    if (receiving !== null && receiving !== this.upgrading && !this.incoming.includes(receiving)) receiving.destroy(connectionReset('aborted'));
    this.receiving = null;
    this.incoming = NO_MESSAGES;
    this.outgoing = NO_MESSAGES;
  }

  // Idle, as Node's closeIdleConnections sees it: no request is waiting for its response and
  // none is arriving (a head begun, or nothing read yet since the accept: Node's connections
  // list counts a message from the accept); from 26.4 one that has read nothing is idle too.
  get idle(): boolean {
    if (this.incoming.length !== 0) return false;
    const underway = this.transport.messageUnderway();
    return underway === 0 || (underway === 1 && closeIdleTakesUnusedConnections);
  }

  // The response's last byte is queued: the next response may write (Node does this work in
  // the response's 'finish' listener).
  onMessageEnded(message: OutgoingMessage): void {
    const res = message as ServerResponse;
    const req = res.req;
    const socket = this.socket;
    // As Node's resOnFinish: the request's signal no longer follows the connection.
    if (hasIncomingSignal) req._detachAbortSignal();
    this.incoming.shift();
    if (this.incoming.length === 0) this.incoming = NO_MESSAGES;
    if (this.pausedForBacklog && this.incoming.length < MAX_PENDING_REQUESTS / 2) {
      this.pausedForBacklog = false;
      socket.resume();
    }
    // A body nobody read still has to come off the wire for the next request to be parsed
    // (Node's _dump). A request already complete has nothing left on the wire: resuming it
    // would only emit 'end' and 'close', which nobody is listening for, at the cost of three
    // ticks; it is left as it is.
    const nothingOnTheWire = req.complete || req === this.bodilessInDispatch;
    if (!req._consuming && !req.readableFlowing && !(nothingOnTheWire && nobodyListens(req))) req._dump();
    res.detachSocket(socket);
    if (res._last) {
      socket.destroySoon();
    } else if (this.outgoing.length === 0) {
      if (this.upgrading !== null) this.handOff();
      if (this.deferredError !== null) {
        const error = this.deferredError;
        this.deferredError = null;
        this.reportClientError(error, this.deferredStatus);
      }
      // Until the next request the keep-alive timeout applies: native arms it when it sees the
      // response's last byte and restores the socket's own timeout when a request starts.
    } else {
      const next = this.outgoing.shift() as ServerResponse;
      if (this.outgoing.length === 0) this.outgoing = NO_MESSAGES;
      next.assignSocket(socket);
    }
  }

  private reportClientError(error: ParserError, status: number): void {
    if (this.server.listenerCount('clientError') > 0) {
      this.server.emit('clientError', error, this.visibleSocket);
      return;
    }
    const socket = this.socket;
    const res = socket._httpMessage as ServerResponse | null;
    if (socket.writable && (res === null || !res._headerSent)) {
      this.transport.writeRaw(ERROR_RESPONSES[status] ?? ERROR_RESPONSES[400]);
    }
    socket.end();
  }
}


function nobodyListens(req: IncomingMessage): boolean {
  // EventEmitter counts the event names that have listeners: zero answers for all five.
  if ((req as unknown as { _eventsCount: number })._eventsCount === 0) return true;
  return (
    req.listenerCount('end') === 0 &&
    req.listenerCount('close') === 0 &&
    req.listenerCount('data') === 0 &&
    req.listenerCount('readable') === 0 &&
    req.listenerCount('error') === 0
  );
}

function findHeader(raw: string[], lowercaseName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === lowercaseName.length && lowercase(name) === lowercaseName) return raw[i + 1];
  }
  return undefined;
}
