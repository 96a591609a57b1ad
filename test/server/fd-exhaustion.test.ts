// An upgrade when no descriptor is left for the hand-off (issue 7 item 8): uvhttp hands an
// upgraded connection to a net.Socket through dup(), which fails with EMFILE when the process
// is at its descriptor limit. The connection must then be closed (the client sees the close, it
// does not hang), the failure reported to 'clientError', and no descriptor lost. node:http has
// no such step (its socket is already a net.Socket), so this is uvhttp's alone.
import { execFile } from 'node:child_process';
import * as path from 'node:path';

jest.setTimeout(30000);

const APP = path.join(__dirname, '..', 'fixtures', 'apps', 'upgrade-without-descriptors.js');
const ROOT = path.resolve(__dirname, '..', '..');

test('a failed dup() during an upgrade closes the connection, reports EMFILE and leaks nothing', async () => {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [APP, ROOT], { timeout: 20000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    ),
  );
  const result = JSON.parse(stdout.trim().split('\n').pop() as string);
  expect(result.events).toEqual(['clientError EMFILE dup']);
  expect(result.clientSaw).toBe('');
  // The baseline was taken while the client's stdout pipe was open; it has closed since.
  expect(result.after).toBe(result.baseline - 1);
});
