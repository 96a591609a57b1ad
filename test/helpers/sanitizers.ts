// `npm run test:asan` preloads the sanitizer runtimes into every process the tests start
// (LD_PRELOAD). Some children are better started without them: compilers, which run several
// times slower for a binary that is not sanitized anyway, and pm2-runtime, which then does not
// exit at SIGINT (seen with node:http alone).

/** This process's environment, plus `extra`, without the sanitizer preload. */
export function withoutSanitizers(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.LD_PRELOAD;
  return env;
}
