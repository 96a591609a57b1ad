// Guard-page test for the parser: fuzz/guard_page_test.cc places every chunk given to Execute()
// right before a PROT_NONE page (and locks each chunk after the call), then parses a set of
// inputs whole, at every prefix, split at every offset, and byte by byte. A read past the input,
// or through a pointer kept into an earlier chunk, faults; a split that changes the events fails.
// Built with g++ and make only (present wherever the addon builds).
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '..');

describe('parser guard-page test', () => {
  test('builds and runs clean', () => {
    const build = spawnSync('make', ['-s', '-C', path.join(root, 'fuzz'), 'guard'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
    const run = spawnSync(path.join(root, 'fuzz', 'build', 'guard_page_test'), [], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    if (run.status !== 0) throw new Error(`guard_page_test exited ${run.status} (signal ${run.signal}):\n${out}`);
    expect(run.stderr).not.toMatch(/FAULT|MISMATCH|FAIL/);
    const summary = run.stdout.trim().split('\n').pop() as string;
    const m = /^guard-page: (\d+) inputs, (\d+) parses, 0 mismatches, no fault$/.exec(summary);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(80);
    expect(Number(m![2])).toBeGreaterThan(10_000);
    // Sanity on what the parses concluded (strict / lenient / small limits): a few fixed points.
    const line = (name: string) => run.stdout.split('\n').find((l) => l.startsWith(name + ' ')) ?? '';
    expect(line('get-minimal')).toContain('strict=ok/1/1');
    expect(line('post-chunked')).toContain('strict=ok/1/1');
    expect(line('smuggle-cl-te')).not.toContain('strict=ok');
    expect(line('upgrade')).toContain('strict=paused/1/0');
    expect(line('get-browser')).toMatch(/small-limits=HPE_HEADER_OVERFLOW/);
  }, 300_000);
});
