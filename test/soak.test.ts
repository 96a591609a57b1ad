// The short soak that CI runs: `npm run soak` for 60 s against uvhttp (bench/soak/run.js), which
// must pass. The soak holds its own pass rule (bench/soak/report.js, docs/RELIABILITY.md): no
// crash, every completed exchange correct byte for byte, every abusive client cut in time, RSS
// within its band after warm-up, descriptors back to baseline. On a failure the checks that
// failed and the evidence the soak kept are in the assertion message.
//
// SOAK_IMPL=node runs the same soak against node:http (the harness against the oracle);
// SOAK_TEST_SECONDS changes the length.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SECONDS = Number(process.env.SOAK_TEST_SECONDS || 60);
const IMPL = process.env.SOAK_IMPL || 'uvhttp';
// Load phase, then up to 10 s for the actors to stop, 10 s for descriptors to settle, and
// start-up: anything past this is a hang.
const LIMIT_MS = (SECONDS + 60) * 1000;

jest.setTimeout(LIMIT_MS + 10000);

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

interface Report {
  pass: boolean;
  checks: Check[];
  scenarios: Record<string, { unexpected: Record<string, number>; evidence: Record<string, string[]> }>;
}

function runSoak(reportPath: string): Promise<{ code: number | null; timedOut: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'soak', 'run.js')], {
      cwd: ROOT,
      env: { ...process.env, SOAK_SECONDS: String(SECONDS), SOAK_IMPL: IMPL, SOAK_REPORT: reportPath, SOAK_ONLY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    });
  });
}

function failures(report: Report): string[] {
  const lines = report.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`);
  for (const [scenario, entry] of Object.entries(report.scenarios)) {
    for (const [kind, n] of Object.entries(entry.unexpected)) {
      lines.push(`${scenario} ${kind} x${n}: ${(entry.evidence[kind] || []).slice(0, 2).join(' | ')}`);
    }
  }
  return lines;
}

test(`soak: ${SECONDS} s of load and abuse against ${IMPL} passes`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-soak-'));
  const reportPath = path.join(dir, 'report.json');
  try {
    const { code, timedOut, output } = await runSoak(reportPath);
    expect({ timedOut }).toEqual({ timedOut: false });
    if (!fs.existsSync(reportPath)) throw new Error(`the soak wrote no report (exit code ${code}):\n${output}`);
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as Report;
    expect(failures(report)).toEqual([]);
    expect({ pass: report.pass, code }).toEqual({ pass: true, code: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
