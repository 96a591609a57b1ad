// uvhttp: Node's http module on a native libuv core. The exports mirror node:http.
import { getGlobalAgent, setGlobalAgent } from './agent';
import type { Agent as AgentInstance } from './agent';

export { Agent } from './agent';
export type { AgentOptions } from './agent';
export { ClientRequest, get, request } from './client-request';
export { IncomingMessage } from './incoming-message';
export { METHODS } from './methods';
export { OutgoingMessage } from './outgoing-message';
export { createServer, Server } from './server';
export type { RequestListener, ServerOptions } from './server';
export { ServerResponse } from './server-response';
export { STATUS_CODES } from './status-codes';
export { validateHeaderName, validateHeaderValue } from './headers';
import { addLineExports } from './line-exports';
import { addGlobalProxyExport } from './global-proxy';
import { defaultMaxHeaderSize } from './http-common';
import { errInvalidArgType, errOutOfRange } from './errors';

// --max-http-header-size, an accessor on Node's module too (assigning to it changes nothing).
export declare const maxHeaderSize: number;
Object.defineProperty(exports, 'maxHeaderSize', { configurable: true, enumerable: true, get: () => defaultMaxHeaderSize });

// Node keeps up to this many idle JS parsers for reuse. uvhttp parses natively and has no
// parser pool: the value is validated as Node does and kept, and changes nothing else.
let maxIdleHTTPParsers = 1000;

export function setMaxIdleHTTPParsers(max: number): void {
  if (typeof max !== 'number') throw errInvalidArgType('max', 'of type number', max);
  if (!Number.isInteger(max)) throw errOutOfRange('max', 'an integer', max);
  if (max < 1 || max > Number.MAX_SAFE_INTEGER) throw errOutOfRange('max', `>= 1 && <= ${Number.MAX_SAFE_INTEGER}`, max);
  maxIdleHTTPParsers = max;
}
void maxIdleHTTPParsers;

// http.globalAgent is an accessor on Node's module: assigning it changes the agent that requests
// without one use, so ours is an accessor too, over the one place that agent is kept.
export declare let globalAgent: AgentInstance;
Object.defineProperty(exports, 'globalAgent', { configurable: true, enumerable: true, get: getGlobalAgent, set: setGlobalAgent });

addLineExports(module.exports);
addGlobalProxyExport(module.exports);
