// uvhttp: Node's http module on a native libuv core. The exports mirror node:http.
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

addLineExports(module.exports);
