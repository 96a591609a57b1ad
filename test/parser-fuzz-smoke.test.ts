// Short libFuzzer smoke run of the parser (ASan + UBSan), plus a replay of every saved
// regression (fuzz/regressions) and seed (fuzz/corpus). The long run is `npm run fuzz`.
// Needs clang++ with libFuzzer: fuzz/ensure-clang.sh installs it (apt-get) when missing; the
// test is skipped, saying so, only if that is impossible.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const seconds = Number(process.env.FUZZ_SMOKE_SECONDS || 25);

const ensure = spawnSync('bash', [path.join(root, 'fuzz', 'ensure-clang.sh')], { encoding: 'utf8' });
const clangOk = ensure.status === 0;
if (!clangOk) {
  // eslint-disable-next-line no-console
  console.warn(`parser fuzz smoke SKIPPED: clang++ with libFuzzer is unavailable and could not be installed:\n${ensure.stderr}`);
}
const maybe = clangOk ? test : test.skip;

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => !f.endsWith('.md'))
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}

// The fuzzer is its own clang ASan/UBSan build: the gcc sanitizer runtimes scripts/test-asan.sh
// preloads into node must not be loaded into it.
const fuzzEnv: NodeJS.ProcessEnv = { ...process.env };
delete fuzzEnv.LD_PRELOAD;

describe('parser fuzz smoke', () => {
  maybe('fuzzer builds', () => {
    const build = spawnSync('make', ['-s', '-C', path.join(root, 'fuzz'), 'fuzzer'], { encoding: 'utf8', env: fuzzEnv });
    if (build.status !== 0) throw new Error(`fuzzer build failed:\n${build.stdout}\n${build.stderr}`);
  }, 300_000);

  maybe('regressions and seeds replay clean', () => {
    const inputs = [...files(path.join(root, 'fuzz', 'regressions')), ...files(path.join(root, 'fuzz', 'corpus'))];
    expect(inputs.length).toBeGreaterThan(10);
    const run = spawnSync(path.join(root, 'fuzz', 'build', 'http_parser_fuzzer'), ['-runs=0', ...inputs], {
      encoding: 'utf8',
      timeout: 120_000,
      env: fuzzEnv,
    });
    if (run.status !== 0) throw new Error(`replay failed (exit ${run.status}):\n${run.stderr.slice(-4000)}`);
  }, 150_000);

  maybe(`fuzzes for ${seconds}s without a finding`, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-fuzz-'));
    try {
      const run = spawnSync(
        path.join(root, 'fuzz', 'build', 'http_parser_fuzzer'),
        [
          work,
          path.join(root, 'fuzz', 'corpus'),
          `-dict=${path.join(root, 'fuzz', 'http.dict')}`,
          `-max_total_time=${seconds}`,
          '-max_len=4096',
          '-timeout=10',
          '-rss_limit_mb=2048',
          '-print_final_stats=1',
          `-artifact_prefix=${work}/`,
        ],
        { encoding: 'utf8', timeout: (seconds + 60) * 1000, maxBuffer: 64 * 1024 * 1024, env: fuzzEnv },
      );
      if (run.status !== 0) {
        const crashes = fs.readdirSync(work).filter((f) => /^(crash|leak|timeout|oom)-/.test(f));
        throw new Error(`fuzzer exit ${run.status}; artifacts ${crashes.join(', ')} in ${work}:\n${run.stderr.slice(-6000)}`);
      }
      const execs = /stat::number_of_executed_units:\s*(\d+)/.exec(run.stderr);
      expect(execs).not.toBeNull();
      expect(Number(execs![1])).toBeGreaterThan(1000);
      // eslint-disable-next-line no-console
      console.log(`fuzz smoke: ${execs![1]} executions in ${seconds}s; ${(/cov: \d+ ft: \d+/g.exec(run.stderr.split('\n').filter((l) => /cov:/.test(l)).pop() || '') || [''])[0]}`);
      fs.rmSync(work, { recursive: true, force: true });
    } catch (e) {
      throw e;
    }
  }, (seconds + 120) * 1000);
});
