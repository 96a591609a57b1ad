// The implementations under test. node:http is the oracle; uvhttp must be observably identical.
//
// Set UVHTTP_IMPLS=node (or uvhttp) to run only one; by default both run.
import * as nodeHttp from 'node:http';
import * as uvhttp from '../../lib';

export type HttpModule = typeof nodeHttp;

export interface Impl {
  name: 'node' | 'uvhttp';
  readonly http: HttpModule;
}

export const nodeImpl: Impl = { name: 'node', http: nodeHttp };
// uvhttp exports the same names as node:http; typed as node's so one test body serves both.
export const uvImpl: Impl = { name: 'uvhttp', http: uvhttp as unknown as HttpModule };

const selected = (process.env.UVHTTP_IMPLS ?? 'node,uvhttp').split(',').map((s) => s.trim());

/** The implementations to run (node:http first). */
export const impls: Impl[] = [nodeImpl, uvImpl].filter((i) => selected.includes(i.name));

/**
 * Implementations compared against the node:http reference in differential tests: uvhttp. With
 * UVHTTP_IMPLS=node alone, node:http against itself (a check that the scenarios are
 * deterministic; not worth its time in every run).
 */
export const candidates: Impl[] = impls.some((i) => i.name !== 'node') ? impls.filter((i) => i.name !== 'node') : impls;
