// `node -r uvhttp/register app.js`: makes require('http') and require('node:http') return
// uvhttp, and points the http builtin's own exports at uvhttp so that ESM imports of
// 'node:http' (and code that kept a reference to the builtin) get it too.
import Module = require('module');

import * as uvhttp from './index';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

const HTTP_IDS = new Set(['http', 'node:http']);
const moduleInternals = Module as unknown as { _load: Load; syncBuiltinESMExports(): void };

function install(): void {
  const original = moduleInternals._load;
  if ((original as Load & { uvhttp?: boolean }).uvhttp) return;
  const load: Load & { uvhttp?: boolean } = function load(this: unknown, request, parent, isMain) {
    if (HTTP_IDS.has(request)) return uvhttp;
    return original.call(this, request, parent, isMain);
  };
  load.uvhttp = true;
  moduleInternals._load = load;

  // The builtin module object is shared with ESM's 'node:http' namespace: copy our exports
  // onto it and let Node re-read them.
  const builtin = original('node:http', null, false) as Record<string, unknown>;
  for (const name of Object.keys(uvhttp)) {
    const descriptor = Object.getOwnPropertyDescriptor(builtin, name);
    if (descriptor !== undefined && !descriptor.configurable && !descriptor.writable) continue;
    const ours = Object.getOwnPropertyDescriptor(uvhttp, name) as PropertyDescriptor;
    // An accessor stays one (globalAgent): an ESM app's `http.globalAgent = agent` on the
    // default import must change the agent uvhttp's requests use, as it does node:http's.
    Object.defineProperty(
      builtin,
      name,
      ours.get || ours.set
        ? { get: ours.get, set: ours.set, configurable: true, enumerable: true }
        : { value: ours.value, writable: true, configurable: true, enumerable: true },
    );
  }
  Module.syncBuiltinESMExports();
}

install();
