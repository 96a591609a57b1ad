// `npm run test:asan` preloads the sanitizer runtimes into every process the tests start
// (LD_PRELOAD). Compilers are better started without them: they run several times slower, for a
// binary that is not sanitized anyway. pm2-runtime under them does not exit at SIGINT (seen with
// node:http alone), and without them its instances cannot load the sanitized addon.

/** True in the sanitizer run. */
export const underSanitizers = (process.env.LD_PRELOAD ?? '').includes('libasan');

/** This process's environment, plus `extra`, without the sanitizer preload. */
export function withoutSanitizers(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.LD_PRELOAD;
  return env;
}
