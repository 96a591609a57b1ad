// Errors with Node's codes and shapes, so that code written against node:http can tell them
// apart the same way (`err.code`, and for system errors `errno`, `syscall`, `address`, `port`).
import * as util from 'util';

type ErrorClass = new (message: string) => Error;

function coded<T extends ErrorClass>(Base: T, code: string, message: string): Error {
  const error = new Base(message) as Error & { code: string };
  error.code = code;
  // Node names these errors "TypeError [ERR_X]" in their stack's first line.
  Object.defineProperty(error, 'name', { value: `${Base.name} [${code}]`, configurable: true, writable: true });
  void error.stack;
  delete (error as { name?: string }).name;
  return error;
}

export function errHeadersSent(action: string): Error {
  return coded(Error, 'ERR_HTTP_HEADERS_SENT', `Cannot ${action} headers after they are sent to the client`);
}

export function errInvalidHttpToken(what: string, name: unknown): Error {
  return coded(TypeError, 'ERR_INVALID_HTTP_TOKEN', `${what} must be a valid HTTP token ["${String(name)}"]`);
}

export function errHttpInvalidHeaderValue(value: unknown, name: string): Error {
  return coded(TypeError, 'ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "${String(value)}" for header "${name}"`);
}

export function errInvalidChar(what: string, name?: string): Error {
  const suffix = name === undefined ? '' : ` ["${name}"]`;
  return coded(TypeError, 'ERR_INVALID_CHAR', `Invalid character in ${what}${suffix}`);
}

export function errInvalidStatusCode(code: unknown): Error {
  return coded(RangeError, 'ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${String(code)}`);
}

// "argument" or "property", as Node words it: `options.x` names a property.
function argumentKind(name: string): string {
  return name.includes('.') ? 'property' : 'argument';
}

// How Node's ERR_INVALID_ARG_TYPE describes the value it received.
function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case 'function':
      return `function ${value.name}`;
    case 'object': {
      const constructor = (value as { constructor?: { name?: unknown } }).constructor;
      if (constructor && 'name' in constructor) return `an instance of ${String(constructor.name)}`;
      return util.inspect(value, { depth: -1 });
    }
    case 'string': {
      const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value;
      return shown.includes("'") ? `type string (${JSON.stringify(shown)})` : `type string ('${shown}')`;
    }
    default: {
      const inspected = util.inspect(value, { colors: false });
      return `type ${typeof value} (${inspected.length > 28 ? `${inspected.slice(0, 25)}...` : inspected})`;
    }
  }
}

export function errInvalidArgType(name: string, expected: string, actual: unknown): Error {
  return coded(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${argumentKind(name)} must be ${expected}. Received ${describeReceived(actual)}`);
}

export function errInvalidArgValue(name: string, value: unknown, reason = 'is invalid'): Error {
  let inspected = util.inspect(value);
  if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`;
  return coded(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${argumentKind(name)} '${name}' ${reason}. Received ${inspected}`);
}

// Node writes integers beyond 2^32 with separators ("4_294_967_297") in range errors.
function withNumericSeparators(digits: string): string {
  const start = digits[0] === '-' ? 1 : 0;
  let grouped = '';
  let end = digits.length;
  for (; end >= start + 4; end -= 3) grouped = `_${digits.slice(end - 3, end)}${grouped}`;
  return `${digits.slice(0, end)}${grouped}`;
}

export function errOutOfRange(name: string, range: string, value: unknown): Error {
  const received =
    typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 32 ? withNumericSeparators(String(value)) : util.inspect(value);
  return coded(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
}

export function errStreamWriteAfterEnd(): Error {
  return coded(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
}

export function errStreamAlreadyFinished(method: string): Error {
  return coded(Error, 'ERR_STREAM_ALREADY_FINISHED', `Cannot call ${method} after a stream was finished`);
}

export function errStreamDestroyed(method: string): Error {
  return coded(Error, 'ERR_STREAM_DESTROYED', `Cannot call ${method} after a stream was destroyed`);
}

export function errHttpSocketAssigned(): Error {
  return coded(Error, 'ERR_HTTP_SOCKET_ASSIGNED', 'ServerResponse has an already assigned socket');
}

export function errInvalidIpAddress(address: unknown): Error {
  return coded(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${String(address)}`);
}

export function errInvalidProtocol(protocol: unknown, expected: string): Error {
  return coded(TypeError, 'ERR_INVALID_PROTOCOL', `Protocol "${String(protocol)}" not supported. Expected "${expected}"`);
}

export function errUnescapedCharacters(what: string): Error {
  return coded(TypeError, 'ERR_UNESCAPED_CHARACTERS', `${what} contains unescaped characters`);
}

export function errStreamNullValues(): Error {
  return coded(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
}

export function errSocketClosed(): Error {
  return coded(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed');
}

export function errServerNotRunning(): Error {
  return coded(Error, 'ERR_SERVER_NOT_RUNNING', 'Server is not running.');
}

export function errServerAlreadyListen(): Error {
  return coded(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
}

export function errSocketBadPort(name: string, port: unknown): Error {
  return coded(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be >= 0 and < 65536. Received ${describeReceived(port)}.`);
}

export function errHttpContentLengthMismatch(actual: number, expected: number): Error {
  return coded(Error, 'ERR_HTTP_CONTENT_LENGTH_MISMATCH', `Response body's content-length of ${actual} byte(s) does not match the content-length of ${expected} byte(s) set in header`);
}

export function errHttpBodyNotAllowed(): Error {
  return coded(Error, 'ERR_HTTP_BODY_NOT_ALLOWED', 'Adding content for this request method or response status is not allowed.');
}

export function errHttpTrailerInvalid(): Error {
  return coded(Error, 'ERR_HTTP_TRAILER_INVALID', 'Trailers are invalid with this transfer encoding');
}

// The error an abandoned message is destroyed with, as Node's ConnResetException: 'aborted'
// for a request or response cut short, 'socket hang up' for a request that got no response.
export function connectionReset(message: string, options?: { cause: unknown }): Error {
  const error = new Error(message, options) as Error & { code: string };
  error.code = 'ECONNRESET';
  return error;
}

/** A parse error as Node's parser reports it (to 'clientError' on a server, 'error' on a client). */
export interface ParserError extends Error {
  code: string;
  reason: string;
  bytesParsed: number;
  rawPacket: Buffer;
}

export function parserError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer): ParserError {
  const error = new Error(`Parse Error: ${reason}`) as ParserError;
  error.code = code;
  error.reason = reason;
  error.bytesParsed = bytesParsed;
  error.rawPacket = rawPacket;
  return error;
}

// headersTimeout/requestTimeout: Node's ERR_HTTP_REQUEST_TIMEOUT, which carries no parser fields.
export function requestTimeoutError(): Error {
  const error = new Error('Request timeout') as Error & { code: string };
  error.code = 'ERR_HTTP_REQUEST_TIMEOUT';
  return error;
}

function errorCode(errno: number): [string, string] {
  return util.getSystemErrorMap().get(errno) ?? ['UNKNOWN', 'unknown error'];
}

// " 127.0.0.1:80", " /tmp/sock" or "": where Node's host-and-port errors say it happened.
function hostPortDetails(address: unknown, port: unknown): string {
  if (typeof port === 'number' && port > 0) return ` ${String(address)}:${port}`;
  return address ? ` ${String(address)}` : '';
}

// Node's UVExceptionWithHostPort, which a failed listen() emits: `address` is always an own
// property (null for a descriptor), `port` whenever it is not 0 (-1 for a local socket).
export function uvExceptionWithHostPort(errno: number, syscall: string, address: string | null, port: number | null): Error {
  const [code, description] = errorCode(errno);
  const error = new Error(`${syscall} ${code}: ${description}${hostPortDetails(address, port)}`) as NodeJS.ErrnoException & { address?: string | null; port?: number };
  error.code = code;
  error.errno = errno;
  error.syscall = syscall;
  error.address = address;
  if (port) error.port = port;
  return error;
}

// Node's ExceptionWithHostPort: "connect ECONNREFUSED 127.0.0.1:80" (a failed connection, the
// 'bind' error of a cluster worker whose primary could not listen): the code, no description.
export function exceptionWithHostPort(errno: number, syscall: string, address: string | null, port: number | null): Error {
  const [code] = errorCode(errno);
  const error = new Error(`${syscall} ${code}${hostPortDetails(address, port)}`) as NodeJS.ErrnoException & { address?: string | null; port?: number };
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  error.address = address;
  if (port) error.port = port;
  return error;
}

// Every address of a name failed (net's autoSelectFamily): Node's NodeAggregateError, whose code
// is the first error's.
export function aggregateError(errors: Error[]): Error {
  const error = new AggregateError(errors, '') as AggregateError & { code?: string };
  error.code = (errors[0] as NodeJS.ErrnoException | undefined)?.code;
  return error;
}

// Node's ErrnoException: "accept EMFILE", "uv_pipe_chmod ENOENT".
export function errnoException(errno: number, syscall: string): Error {
  const [code] = errorCode(errno);
  const error = new Error(`${syscall} ${code}`) as NodeJS.ErrnoException;
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  return error;
}

// A libuv error as Node reports it: "listen EADDRINUSE: address already in use 127.0.0.1:80".
export function systemError(errno: number, syscall: string, address?: string, port?: number): Error {
  const [code, description] = errorCode(errno);
  let message = `${syscall} ${code}: ${description}`;
  if (address !== undefined) message += port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  const error = new Error(message) as NodeJS.ErrnoException & { address?: string; port?: number };
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  if (port !== undefined && port > 0) error.port = port;
  return error;
}

export function errProxyInvalidConfig(message: string): Error {
  return coded(Error, 'ERR_PROXY_INVALID_CONFIG', message);
}
