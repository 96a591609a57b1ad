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

// Node's default for --max-http-header-size, readable as http.maxHeaderSize.
export const maxHeaderSize = 16 * 1024;

// http.globalAgent is an accessor on Node's module: assigning it changes the agent that requests
// without one use, so ours is an accessor too, over the one place that agent is kept.
export declare let globalAgent: AgentInstance;
Object.defineProperty(exports, 'globalAgent', { configurable: true, enumerable: true, get: getGlobalAgent, set: setGlobalAgent });

addLineExports(module.exports);
