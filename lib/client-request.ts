// ClientRequest, http.request() and http.get(): Node 20's contract (options, validation, agent
// selection, the events and their order, errors) with the bytes moved natively. The head and
// body are an OutgoingMessage's; the response comes through a ClientExchange
// (client-connection.ts); the connection comes from an Agent or a createConnection, and is a
// native Socket unless a createConnection gave a stream of its own (then the same native parser
// is fed from JS).
import { Buffer } from 'buffer';
import * as diagnostics from 'diagnostics_channel';
import { addAbortSignal, Duplex, finished } from 'stream';
import { URL, urlToHttpOptions } from 'url';

import { Agent, getGlobalAgent } from './agent';
import { binding, ROLE_CLIENT } from './binding';
import { createConnection } from './client-connect';
import { ClientExchange } from './client-connection';
import {
  connectionReset,
  errHeadersSent,
  errInvalidArgType,
  errInvalidArgValue,
  errInvalidHttpToken,
  errInvalidProtocol,
  errOutOfRange,
  errUnescapedCharacters,
} from './errors';
import { isToken } from './headers';
import { defaultMaxHeaderSize, LENIENT_ALL, LENIENT_FIELD_VALUES, parserLeniency } from './http-common';
import type { IncomingMessage } from './incoming-message';
import { legacyConstructor, requireThis } from './legacy-class';
import {
  abortedResponseHasCause,
  connectHostIsPath,
  connectPathFromUrlTrimmed,
  destroyAfterExchangeKeepsSocket,
  hasAgentProxySupport,
  hasClientRequestCreatedChannel,
  hasHttpValidation,
  hasSetDefaultHeaders,
  requestKeepsHighWaterMark,
  requestOptionsWithoutPrototype,
  requestPathCheckedOnSet,
  socketErrorsHeardAtOnSocket,
} from './node-features';
import { OutgoingHeaders, OutgoingMessage, OutgoingMessageMethods } from './outgoing-message';
import { uniqueHeaderSet } from './outgoing-headers';
import { rewriteForProxiedHttp } from './proxy-env';
import { Socket } from './socket';
import { StreamParser } from './stream-parser';
import { sinkOf } from './stream-sink';
import { NativeTransport, StreamTransport, Transport } from './transport';

const requestCreatedChannel = hasClientRequestCreatedChannel ? diagnostics.channel('http.client.request.created') : null;
const requestStartChannel = diagnostics.channel('http.client.request.start');
const requestErrorChannel = diagnostics.channel('http.client.request.error');

// RFC 9112 §3.2: the request-target is visible ASCII (obs-text let through, as Node does).
const INVALID_PATH = /[^\u0021-\u00ff]/;
const kPath = Symbol('kPath');
// setTimeout's largest delay (a signed 32-bit millisecond count).
const TIMEOUT_MAX = 2 ** 31 - 1;

type ResponseListener = (res: IncomingMessage) => void;

export interface RequestOptions {
  [option: string]: unknown;
}

type ClientSocket = Duplex & {
  _httpMessage?: unknown;
  _hadError?: boolean;
  connecting?: boolean;
  setTimeout(ms: number, callback?: () => void): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
  setKeepAlive?(enable?: boolean, delay?: number): unknown;
  destroySoon?(): void;
};

// Node's isURL: a WHATWG URL (or an object shaped like one, as url.parse's results are not).
function isURL(value: unknown): value is URL {
  const candidate = value as { href?: unknown; protocol?: unknown; auth?: unknown; path?: unknown } | null;
  return Boolean(candidate?.href && candidate.protocol && candidate.auth === undefined && candidate.path === undefined);
}

function validateHost(host: unknown, name: string): string | null | undefined {
  if (host !== null && host !== undefined && typeof host !== 'string') {
    throw errInvalidArgType(`options.${name}`, 'of type string or one of undefined or null', host);
  }
  return host;
}

// Node's getTimerDuration.
function timerDuration(milliseconds: unknown, name: string): number {
  if (typeof milliseconds !== 'number') throw errInvalidArgType(name, 'of type number', milliseconds);
  if (milliseconds < 0 || !Number.isFinite(milliseconds)) throw errOutOfRange(name, 'a non-negative finite number', milliseconds);
  return milliseconds > TIMEOUT_MAX ? TIMEOUT_MAX : milliseconds;
}

class ClientRequestMethods extends OutgoingMessageMethods {
  declare method: string;
  declare path: string;
  declare host: string;
  declare protocol: string;
  declare socketPath: string | undefined;
  declare timeout: number | undefined;
  declare maxHeaderSize: number | undefined;
  declare insecureHTTPParser: boolean | undefined;
  declare httpValidation?: 'strict' | 'relaxed' | 'insecure';
  declare joinDuplicateHeaders: boolean | undefined;
  declare agent: Agent | undefined;
  declare res: IncomingMessage | null;
  declare aborted: boolean;
  declare timeoutCb: (() => void) | null;
  declare upgradeOrConnect: boolean;
  declare parser: ClientExchange | null;
  declare maxHeadersCount: number | null;
  declare reusedSocket: boolean;
  declare _ended: boolean;
  declare _requestError: Error | undefined;

  override _implicitHeader(): void {
    if (this._header !== null) throw errHeadersSent('render');
    this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, this._outHeaders as unknown as OutgoingHeaders, true);
  }

  // A socket destroyed before it was ours (a failed lookup) completes no write: Node neither
  // finishes such a request nor emits its 'finish'. (One still connecting finishes now, as Node
  // calls _finish() from end(); its 'finish' waits for the connection: _emitFinishSoon.)
  override _maybeFinish(): void {
    const socket = this.socket as ClientSocket | null;
    if (this._finishWaiting && socket !== null && socket.destroyed) return;
    super._maybeFinish();
  }

  override _finish(): void {
    super._finish();
    if (requestStartChannel.hasSubscribers) requestStartChannel.publish({ request: this });
  }

  // Node emits a request's 'finish' from the callback of its last write, which runs once the
  // connection is made, and not at all when connecting fails (its onFinish skips a socket that
  // had an error): a request on a connection still being made waits for 'connect'.
  override _emitFinishSoon(): void {
    const socket = this.socket as ClientSocket | null;
    if (socket !== null && socket.connecting) {
      socket.once('connect', () => {
        if (!socket._hadError) super._emitFinishSoon();
      });
      return;
    }
    super._emitFinishSoon();
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    process.nextTick(emitAbortNT, this);
    this.destroy();
  }

  override destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    // Aborting: nobody wants the rest of the response.
    if (this.res) this.res._dump();
    // Nothing left to cancel: the socket is on its way back to the agent (Node 24.22).
    if (destroyAfterExchangeKeepsSocket && this.writableFinished && this.res?.complete) return this;
    this._requestError = error;
    this.socket?.destroy(error);
    return this;
  }

  onSocket(socket: ClientSocket | undefined, error?: Error): void {
    // Node 24.15: errors the socket emits before the request takes it (on the next tick) are the
    // request's.
    if (socketErrorsHeardAtOnSocket && socket && !error) {
      socket._httpMessage = this;
      socket.on('error', socketErrorListener);
    }
    process.nextTick(onSocketNT, this, socket, error);
  }

  override setTimeout(milliseconds: number, callback?: () => void): this {
    if (this._ended) return this;
    listenSocketTimeout(this);
    const ms = timerDuration(milliseconds, 'msecs');
    if (callback) this.once('timeout', callback);
    if (this.socket) setSocketTimeout(this.socket as ClientSocket, ms);
    else this.once('socket', (socket: ClientSocket) => setSocketTimeout(socket, ms));
    return this;
  }

  setNoDelay(noDelay?: boolean): void {
    this._deferToConnect('setNoDelay', [noDelay]);
  }

  setSocketKeepAlive(enable?: boolean, initialDelay?: number): void {
    this._deferToConnect('setKeepAlive', [enable, initialDelay]);
  }

  clearTimeout(callback?: () => void): void {
    this.setTimeout(0, callback);
  }

  // Calls that need the socket connected: now, when it is, or when one is assigned.
  _deferToConnect(method: 'setNoDelay' | 'setKeepAlive', args: unknown[]): void {
    const call = () => {
      const socket = this.socket as unknown as Record<string, (...a: unknown[]) => unknown>;
      socket[method]?.(...args);
    };
    const onSocket = () => {
      const socket = this.socket as ClientSocket;
      if (socket.writable) call();
      else socket.once('connect', call);
    };
    if (!this.socket) this.once('socket', onSocket);
    else onSocket();
  }

  // --- What the exchange tells the request (client-connection.ts) ----------------------------

  _startResponse(res: IncomingMessage): void {
    res.on('end', responseOnEnd);
    this.on('finish', requestOnFinish);
    (this.socket as ClientSocket).on('timeout', responseOnTimeout);
  }

  _responseError(error: Error): void {
    const socket = this.socket as ClientSocket;
    socket._hadError = true;
    emitErrorEvent(this, error);
  }

  // A 101 or a CONNECT tunnel: the connection is the listener's now (Node's socketOnData).
  _handOver(res: IncomingMessage, handed: Duplex, head: Buffer): void {
    const socket = this.socket as ClientSocket;
    const eventName = this.method === 'CONNECT' ? 'connect' : 'upgrade';
    if (this.timeoutCb) socket.removeListener('timeout', this.timeoutCb);
    socket.removeListener('timeout', responseOnTimeout);
    socket.removeListener('drain', ondrain);
    this.upgradeOrConnect = true;
    socket.emit('agentRemove');
    socket.removeListener('close', socketCloseListener);
    socket.removeListener('error', socketErrorListener);
    socket._httpMessage = null;
    if (handed !== socket) {
      // The descriptor went to a net.Socket of its own: the native socket is closed, quietly.
      (handed as ClientSocket)._httpMessage = null;
      res.socket = handed as never;
    }
    this.emit(eventName, res, handed, head);
    this.destroyed = true;
    this._closed = true;
    this.emit('close');
  }

  // Node's socketOnEnd.
  _peerEnded(): void {
    const socket = this.socket as ClientSocket;
    if (!this.res && !socket._hadError) {
      // The connection ended before a response: the request failed.
      socket._hadError = true;
      emitErrorEvent(this, connectionReset('socket hang up'));
    }
    socket.destroy();
  }
}

export const ClientRequest = legacyConstructor('ClientRequest', ClientRequestMethods, function ClientRequest(
  this: ClientRequestMethods,
  input?: string | URL | RequestOptions | null,
  options?: RequestOptions | ResponseListener,
  callback?: ResponseListener,
) {
  requireThis(this);
  OutgoingMessage.call(this);
  // Before the signal is attached: an aborted one destroys the request at once, with its error.
  this._requestError = undefined;
  let base: RequestOptions | null;
  // Whether the path is the URL's (a CONNECT's then loses its leading slash, Node 26.11).
  let pathIsFromURL = false;
  if (typeof input === 'string') {
    base = urlToHttpOptions(new URL(input)) as unknown as RequestOptions;
    pathIsFromURL = true;
  } else if (isURL(input)) {
    base = urlToHttpOptions(input) as unknown as RequestOptions;
    pathIsFromURL = true;
  } else {
    callback = options as ResponseListener | undefined;
    options = (input ?? undefined) as RequestOptions | undefined;
    base = null;
  }
  let opts: RequestOptions;
  if (typeof options === 'function') {
    callback = options;
    opts = base ?? {};
  } else {
    if (pathIsFromURL && options !== null && options !== undefined && Object.prototype.hasOwnProperty.call(options, 'path')) {
      pathIsFromURL = false;
    }
    opts = requestOptionsWithoutPrototype ? Object.assign(Object.create(null), base, options) : Object.assign(base ?? {}, options);
  }
  if (requestKeepsHighWaterMark && opts.highWaterMark !== null && opts.highWaterMark !== undefined) {
    this._highWaterMark = opts.highWaterMark as number;
  }

  let agent = opts.agent as Agent | false | null | undefined;
  const defaultAgent = (opts._defaultAgent as Agent | undefined) ?? getGlobalAgent();
  if (agent === false) {
    agent = new (defaultAgent.constructor as new () => Agent)();
  } else if (agent === null || agent === undefined) {
    // A createConnection of the request's own is used without an agent.
    if (typeof opts.createConnection !== 'function') agent = defaultAgent;
  } else if (typeof (agent as { addRequest?: unknown }).addRequest !== 'function') {
    throw errInvalidArgType('options.agent', 'one of Agent-like Object, undefined, or false', agent);
  }
  this.agent = (agent ?? undefined) as Agent | undefined;

  const protocol = (opts.protocol as string | undefined) || defaultAgent.protocol;
  let expectedProtocol = defaultAgent.protocol;
  if (this.agent && this.agent.protocol) expectedProtocol = this.agent.protocol;
  if (opts.path) {
    if (INVALID_PATH.test(String(opts.path))) throw errUnescapedCharacters('Request path');
  }
  if (protocol !== expectedProtocol) throw errInvalidProtocol(protocol, expectedProtocol);

  const defaultPort = (opts.defaultPort as number | undefined) || (this.agent && this.agent.defaultPort);
  const optsWithoutSignal: RequestOptions = { __proto__: null, ...opts } as RequestOptions;
  const port = (optsWithoutSignal.port = opts.port || defaultPort || 80);
  const host = (optsWithoutSignal.host =
    validateHost(opts.hostname, 'hostname') || validateHost(opts.host, 'host') || 'localhost');
  // setDefaultHeaders: false (Node 22.13) leaves out Host, Connection, Content-Length and
  // Transfer-Encoding unless they are set (setHost, when given, still decides Host).
  const defaultHeaders = !hasSetDefaultHeaders || opts.setDefaultHeaders !== false;
  const setHost = opts.setHost === undefined ? defaultHeaders : Boolean(opts.setHost);
  if (!defaultHeaders) {
    this._removedConnection = true;
    this._removedContLen = true;
    this._removedTE = true;
  }
  this.socketPath = opts.socketPath as string | undefined;
  this.timeout = opts.timeout !== undefined ? timerDuration(opts.timeout, 'timeout') : undefined;
  const signal = opts.signal as AbortSignal | undefined;
  if (signal) {
    addAbortSignal(signal, this as unknown as Duplex);
    delete optsWithoutSignal.signal;
  }
  let method = opts.method;
  if (method !== null && method !== undefined && typeof method !== 'string') {
    throw errInvalidArgType('options.method', 'of type string', method);
  }
  if (typeof method === 'string' && method) {
    if (!isToken(method)) throw errInvalidHttpToken('Method', method);
    method = method.toUpperCase();
  } else {
    method = 'GET';
  }
  this.method = method as string;

  const maxHeaderSize = opts.maxHeaderSize;
  if (maxHeaderSize !== undefined && (typeof maxHeaderSize !== 'number' || !Number.isInteger(maxHeaderSize))) {
    throw errInvalidArgType('maxHeaderSize', 'of type number', maxHeaderSize);
  }
  if (typeof maxHeaderSize === 'number' && (maxHeaderSize < 0 || maxHeaderSize > Number.MAX_SAFE_INTEGER)) {
    throw errOutOfRange('maxHeaderSize', `>= 0 && <= ${Number.MAX_SAFE_INTEGER}`, maxHeaderSize);
  }
  this.maxHeaderSize = maxHeaderSize as number | undefined;
  const insecure = opts.insecureHTTPParser;
  if (insecure !== undefined && typeof insecure !== 'boolean') {
    throw errInvalidArgType('options.insecureHTTPParser', 'of type boolean', insecure);
  }
  this.insecureHTTPParser = insecure as boolean | undefined;
  // Node 24.19: the response's parser leniency and the request's header value rule
  // (_isLenientHeaderValidation); an own property, undefined when not given.
  if (hasHttpValidation) {
    const httpValidation = opts.httpValidation;
    if (httpValidation !== undefined) {
      if (httpValidation !== 'strict' && httpValidation !== 'relaxed' && httpValidation !== 'insecure') {
        throw errInvalidArgValue('options.httpValidation', httpValidation, "must be one of: 'strict', 'relaxed', 'insecure'");
      }
      if (insecure !== undefined) {
        throw errInvalidArgValue('options.httpValidation', httpValidation, 'cannot be used together with options.insecureHTTPParser');
      }
    }
    this.httpValidation = httpValidation as ClientRequestMethods['httpValidation'];
  }
  const join = opts.joinDuplicateHeaders;
  if (join !== undefined && typeof join !== 'boolean') {
    throw errInvalidArgType('options.joinDuplicateHeaders', 'of type boolean', join);
  }
  this.joinDuplicateHeaders = join as boolean | undefined;

  let path = opts.path || '/';
  if (connectPathFromUrlTrimmed && method === 'CONNECT' && pathIsFromURL && (path as string)[0] === '/') {
    path = (path as string).slice(1) || '/';
  }
  if (requestPathCheckedOnSet) (this as unknown as { [kPath]: unknown })[kPath] = path;
  else this.path = path as string;
  if (callback) this.once('response', callback);
  // RFC 9110 §9.3: these methods have no content by convention; Node frames a body they get by
  // the connection's close rather than chunking it.
  this.useChunkedEncodingByDefault = !(
    method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS' || method === 'TRACE' || method === 'CONNECT'
  );
  this._ended = false;
  this.res = null;
  this.aborted = false;
  this.timeoutCb = null;
  this.upgradeOrConnect = false;
  this.parser = null;
  this.maxHeadersCount = null;
  this.reusedSocket = false;
  this.host = host as string;
  this.protocol = protocol;

  if (this.agent) {
    // Keep-alive only where the agent will really reuse the connection.
    if (!this.agent.keepAlive && !Number.isFinite(this.agent.maxSockets)) {
      this._last = true;
      this.shouldKeepAlive = false;
    } else {
      this._last = false;
      this.shouldKeepAlive = true;
    }
  }

  const headers = opts.headers;
  // RFC 3986 §3.2.2: an IPv6 address in a Host field is bracketed.
  let authorityHost = String(host);
  const colon = authorityHost.indexOf(':');
  if (colon !== -1 && authorityHost.includes(':', colon + 1) && authorityHost.charCodeAt(0) !== 91) {
    authorityHost = `[${authorityHost}]`;
  }
  // The authority a proxied request must name (proxy-env.ts), on the lines with proxy support.
  const authority = { host: authorityHost, port };
  if (!Array.isArray(headers)) {
    if (headers) {
      const object = headers as OutgoingHeaders;
      for (const key of Object.keys(object)) this.setHeader(key, object[key] as string);
    }
    // The user's own Host, told apart from the one made from the options.
    const userHost = hasAgentProxySupport ? this.getHeader('host') : undefined;
    if (host && !this.getHeader('host') && setHost) {
      let hostHeader = authorityHost;
      if (port && +port !== defaultPort) hostHeader += `:${String(port)}`;
      // A CONNECT names the authority it asks for (Node 26.5).
      if (connectHostIsPath && method === 'CONNECT' && opts.path) hostHeader = String(this.path);
      this.setHeader('Host', hostHeader);
    }
    if (opts.auth && !this.getHeader('Authorization')) {
      this.setHeader('Authorization', `Basic ${Buffer.from(String(opts.auth)).toString('base64')}`);
    }
    if (this.getHeader('expect')) {
      if (this._header) throw errHeadersSent('render');
      if (hasAgentProxySupport) rewriteForProxiedHttp(this as never, optsWithoutSignal, authority, userHost, undefined);
      this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, this._outHeaders as unknown as OutgoingHeaders, true);
    } else if (hasAgentProxySupport) {
      rewriteForProxiedHttp(this as never, optsWithoutSignal, authority, userHost, undefined);
    }
  } else {
    if (hasAgentProxySupport) rewriteForProxiedHttp(this as never, optsWithoutSignal, authority, undefined, headers);
    this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, headers, false);
  }
  this._uniqueHeaders = uniqueHeaderSet(opts.uniqueHeaders as Array<string | string[]> | undefined);

  if (this.agent) {
    this.agent.addRequest(this as never, optsWithoutSignal as never);
    publishCreated(this);
    return;
  }
  // No agent: a connection of its own, closed after this request.
  this._last = true;
  this.shouldKeepAlive = false;
  let connectOptions = optsWithoutSignal;
  if (connectOptions.path || connectOptions.socketPath) {
    connectOptions = { ...optsWithoutSignal };
    if (connectOptions.socketPath) connectOptions.path = connectOptions.socketPath;
    else if (connectOptions.path) connectOptions.path = undefined;
  }
  const create = connectOptions.createConnection as
    | ((options: RequestOptions, callback: (error: Error | null, socket?: ClientSocket) => void) => ClientSocket | undefined)
    | undefined;
  if (typeof create === 'function') {
    let called = false;
    const oncreate = (error: Error | null, socket?: ClientSocket) => {
      if (called) return;
      called = true;
      if (error) process.nextTick(() => emitErrorEvent(this, error));
      else this.onSocket(socket);
    };
    try {
      const socket = create(connectOptions, oncreate);
      if (socket) oncreate(null, socket);
    } catch (error) {
      oncreate(error as Error);
    }
  } else {
    this.onSocket(createConnection(connectOptions) as unknown as ClientSocket);
  }
  publishCreated(this);
});
export type ClientRequest = ClientRequestMethods;

// Node 24.15: the path is kept behind the accessor, which checks what is set later.
if (requestPathCheckedOnSet) {
  Object.defineProperty(ClientRequestMethods.prototype, 'path', {
    get(this: { [kPath]: string }) {
      return this[kPath];
    },
    set(this: { [kPath]: string }, value: unknown) {
      const path = String(value);
      if (INVALID_PATH.test(path)) throw errUnescapedCharacters('Request path');
      this[kPath] = path;
    },
    configurable: true,
    enumerable: true,
  });
}

// The constructor's last act, with a connection asked for (Node 22.12+).
function publishCreated(req: ClientRequestMethods): void {
  if (requestCreatedChannel !== null && requestCreatedChannel.hasSubscribers) requestCreatedChannel.publish({ request: req });
}

function emitErrorEvent(req: ClientRequestMethods, error: Error): void {
  if (requestErrorChannel.hasSubscribers) requestErrorChannel.publish({ request: req, error });
  req.emit('error', error);
}

function emitAbortNT(req: ClientRequestMethods): void {
  req.emit('abort');
}

// --- The request's socket listeners (Node's, on any socket) ------------------------------------

function ondrain(this: ClientSocket): void {
  const message = this._httpMessage as ClientRequestMethods | null;
  if (message && !message.finished) message._onSocketDrain();
}

function socketCloseListener(this: ClientSocket): void {
  const req = this._httpMessage as ClientRequestMethods;
  const exchange = req.parser;
  const res = req.res;
  req.destroyed = true;
  if (res) {
    // The connection closed before the response ended (with the socket's error as the cause,
    // Node 26.11).
    if (!res.complete) {
      const cause = abortedResponseHasCause ? req._requestError : undefined;
      res.destroy(connectionReset('aborted', cause ? { cause } : undefined));
    }
    req._closed = true;
    req.emit('close');
    if (!res.aborted && res.readable) res.push(null);
  } else {
    if (!this._hadError) {
      // The socket closed before a response began: the request failed.
      this._hadError = true;
      emitErrorEvent(req, connectionReset('socket hang up'));
    }
    req._closed = true;
    req.emit('close');
  }
  // What was still held back never went out.
  req._pending.length = 0;
  exchange?.free();
}

function socketErrorListener(this: ClientSocket, error: Error): void {
  const req = this._httpMessage as ClientRequestMethods | null;
  if (req) {
    // Errors that follow are not reported again.
    this._hadError = true;
    emitErrorEvent(req, error);
    // The cause of the response's 'aborted' (Node 26.11).
    if (abortedResponseHasCause) req._requestError ||= error;
  }
  req?.parser?.free();
  this.destroy();
}

function responseOnEnd(this: IncomingMessage): void {
  const req = (this as IncomingMessage & { req: ClientRequestMethods }).req;
  const socket = req.socket as ClientSocket | null;
  if (socket) {
    if (req.timeoutCb) socket.removeListener('timeout', emitRequestTimeout);
    socket.removeListener('timeout', responseOnTimeout);
  }
  req._ended = true;
  if (!req.shouldKeepAlive) {
    if (socket && socket.writable) {
      if (typeof socket.destroySoon === 'function') socket.destroySoon();
      else socket.end();
    }
  } else if (req.writableFinished && !this.aborted) {
    // Everything written has gone out (the request finished) and the response is in: the
    // connection can serve another request.
    responseKeepAlive(req);
  }
}

function responseKeepAlive(req: ClientRequestMethods): void {
  const socket = req.socket as ClientSocket;
  if (req.timeoutCb) {
    socket.setTimeout(0, req.timeoutCb);
    req.timeoutCb = null;
  }
  socket.removeListener('close', socketCloseListener);
  socket.removeListener('error', socketErrorListener);
  // Free AFTER the user's 'end' handlers had their chance to run.
  process.nextTick(emitFreeNT, req);
  req.destroyed = true;
  // The freed socket must not be destroyed with the response.
  if (req.res) req.res.socket = null;
}

function responseOnTimeout(this: ClientSocket): void {
  const req = this._httpMessage as ClientRequestMethods | null;
  const res = req?.res;
  if (res) res.emit('timeout');
}

// The whole response may arrive before the request has finished going out.
// (Unless the response's end did that already: the request was flushed before its 'finish'.)
function requestOnFinish(this: ClientRequestMethods): void {
  if (this.shouldKeepAlive && this._ended && !this.destroyed) responseKeepAlive(this);
}

function emitFreeNT(req: ClientRequestMethods): void {
  req._closed = true;
  req.emit('close');
  if (req.socket) (req.socket as unknown as ClientSocket).emit('free');
}

// Node's tickOnSocket: the request takes the socket.
function tickOnSocket(req: ClientRequestMethods, socket: ClientSocket): void {
  req.socket = socket as never;
  socket._httpMessage = req;
  req._sink = sinkOf(socket, () => req._onSocketDrain());
  const leniency = parserLeniency(req.httpValidation, req.insecureHTTPParser);
  const maxHeaderSize = req.maxHeaderSize || defaultMaxHeaderSize;
  const exchange = attachExchange(req, socket, maxHeaderSize, leniency);
  req.parser = exchange;
  if (!socketErrorsHeardAtOnSocket) socket.on('error', socketErrorListener);
  socket.on('close', socketCloseListener);
  socket.on('drain', ondrain);
  if (req.timeout !== undefined || (req.agent && req.agent.options && req.agent.options.timeout)) {
    listenSocketTimeout(req);
  }
  req.emit('socket', socket);
}

// The response's parser for this request: the native connection's own, or one fed from the
// stream a createConnection returned.
function attachExchange(req: ClientRequestMethods, socket: ClientSocket, maxHeaderSize: number, leniency: number): ClientExchange {
  let transport: Transport;
  let release: () => void;
  if (socket instanceof Socket) {
    const limits = maxHeaderSize * 3 + leniency;
    if (socket._parserLimits !== limits) {
      binding.setParserLimits(socket._id, maxHeaderSize, leniency === LENIENT_ALL, leniency === LENIENT_FIELD_VALUES);
      socket._parserLimits = limits;
    }
    // The parser is the request's (Node makes one per request): its events run in the context
    // the request got its socket in.
    binding.resetAsync(socket._id, false);
    transport = new NativeTransport(socket);
    release = () => {
      if (socket._receiver === exchange) socket._receiver = null;
      releaseExchange(req, socket);
    };
  } else {
    const parser = new StreamParser(socket, ROLE_CLIENT, clientParserSettings(maxHeaderSize, leniency));
    transport = new StreamTransport(socket, parser, () => req._onSocketDrain());
    release = () => {
      parser.free();
      releaseExchange(req, socket);
    };
  }
  // eslint-disable-next-line prefer-const
  let exchange: ClientExchange;
  exchange = new ClientExchange(req as never, transport, release);
  if (socket instanceof Socket) socket._receiver = exchange;
  else (transport as StreamTransport).parser.receiver = exchange;
  return exchange;
}

// The response is done (Node's freeParser in socketOnData): the socket's listeners for this
// exchange go with it.
function releaseExchange(req: ClientRequestMethods, socket: ClientSocket): void {
  req.parser = null;
  socket.removeListener('drain', ondrain);
}

// Parser settings for streams we feed, by limits (a handful of distinct ones in a process).
const streamSettings = new Map<string, ReturnType<typeof binding.createSettings>>();

function clientParserSettings(maxHeaderSize: number, leniency: number): ReturnType<typeof binding.createSettings> {
  const key = `${maxHeaderSize}:${leniency}`;
  let settings = streamSettings.get(key);
  if (settings === undefined) {
    settings = binding.createSettings(maxHeaderSize, leniency === LENIENT_ALL, 0, 0, 0, 0, undefined, undefined, leniency === LENIENT_FIELD_VALUES);
    streamSettings.set(key, settings);
  }
  return settings;
}

function emitRequestTimeout(this: ClientSocket): void {
  const req = this._httpMessage as ClientRequestMethods | null;
  if (req) req.emit('timeout');
}

function listenSocketTimeout(req: ClientRequestMethods): void {
  if (req.timeoutCb) return;
  req.timeoutCb = emitRequestTimeout;
  if (req.socket) (req.socket as ClientSocket).once('timeout', emitRequestTimeout);
  else req.on('socket', (socket: ClientSocket) => socket.once('timeout', emitRequestTimeout));
}

function setSocketTimeout(socket: ClientSocket, milliseconds: number): void {
  if (socket.connecting) socket.once('connect', () => socket.setTimeout(milliseconds));
  else socket.setTimeout(milliseconds);
}

function onSocketNT(req: ClientRequestMethods, socket: ClientSocket | undefined, error: Error | undefined): void {
  if (req.destroyed || error) {
    req.destroyed = true;
    const destroy = (failure: Error | undefined | null) => {
      if (!req.aborted && !failure) failure = connectionReset('socket hang up');
      // Not again when the early listener reported it (Node 24.15).
      if (failure && !(socketErrorsHeardAtOnSocket && socket?._hadError)) emitErrorEvent(req, failure);
      req._closed = true;
      req.emit('close');
    };
    if (socket) {
      if (!error && req.agent && !socket.destroyed) {
        if (socketErrorsHeardAtOnSocket) socket.removeListener('error', socketErrorListener);
        socket.emit('free');
      } else {
        finished(socket.destroy(error || req._requestError) as Duplex, (failure) => {
          const cause = (failure as NodeJS.ErrnoException | null | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE' ? null : failure;
          destroy(cause || error);
        });
        return;
      }
    }
    destroy(error || req._requestError);
    return;
  }
  tickOnSocket(req, socket as ClientSocket);
  req._flushPending();
}

/** http.request(url[, options][, callback]) */
export function request(
  url: string | URL | RequestOptions,
  options?: RequestOptions | ResponseListener,
  callback?: ResponseListener,
): ClientRequest {
  return new ClientRequest(url, options, callback);
}

/** http.get(url[, options][, callback]): request() with GET that is ended at once. */
export function get(
  url: string | URL | RequestOptions,
  options?: RequestOptions | ResponseListener,
  callback?: ResponseListener,
): ClientRequest {
  const req = request(url, options, callback);
  req.end();
  return req;
}
