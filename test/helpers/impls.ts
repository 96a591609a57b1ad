// The implementations under test. node:http is the oracle; uvhttp must be observably identical.
//
// uvhttp is loaded lazily so that the suites can be developed and run against node:http alone
// while lib/ is being written: set UVHTTP_IMPLS=node to run only node:http. By default both are
// run, and if lib/ cannot be loaded every uvhttp test fails with the load error (never skipped
// silently).
import * as nodeHttp from 'node:http';
import * as path from 'node:path';

export type HttpModule = typeof nodeHttp;

export interface Impl {
  name: 'node' | 'uvhttp';
  /** The module; throws the load error for uvhttp if lib/ cannot be loaded. */
  readonly http: HttpModule;
}

let uvLoaded: HttpModule | undefined;
let uvError: unknown;

function loadUvhttp(): HttpModule {
  if (uvLoaded) return uvLoaded;
  if (uvError) throw uvError;
  try {
    // A computed path keeps ts-jest from type-checking a lib/ that may not exist yet.
    const libPath = path.join(__dirname, '..', '..', 'lib');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    uvLoaded = require(libPath) as HttpModule;
    if (typeof uvLoaded.createServer !== 'function') {
      throw new Error('uvhttp (lib/) does not export createServer yet');
    }
    return uvLoaded;
  } catch (err) {
    uvError = err;
    throw err;
  }
}

export const nodeImpl: Impl = { name: 'node', http: nodeHttp };
export const uvImpl: Impl = {
  name: 'uvhttp',
  get http() {
    return loadUvhttp();
  },
};

const selected = (process.env.UVHTTP_IMPLS ?? 'node,uvhttp').split(',').map((s) => s.trim());

/** The implementations to run (node:http first). */
export const impls: Impl[] = [nodeImpl, uvImpl].filter((i) => selected.includes(i.name));

/** Implementations compared against the node:http reference in differential tests. */
export const candidates: Impl[] = impls;
