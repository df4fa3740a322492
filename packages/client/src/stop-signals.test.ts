import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

// A child process that stops in 200 ms (or fails to, with STOP_FAILS), printing each stop.
const child = `
import { stopOnSignals, createLogger } from './index.ts';
const log = createLogger('t'); log.level = 'silent';
stopOnSignals(log, async () => { console.log('stop'); await new Promise((r) => setTimeout(r, 200)); if (process.env.STOP_FAILS) throw new Error('no'); });
console.log('ready');
setInterval(() => {}, 1000);
`;

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: here, env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') {
        p.kill('SIGTERM');
        setTimeout(() => p.kill('SIGINT'), 50);
      }
    });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out }));
  });
}

test('the first signal stops once and exits 0; a failed stop exits 1', async () => {
  assert.deepEqual(await run({}), { code: 0, out: 'ready\nstop\n' });
  assert.deepEqual(await run({ STOP_FAILS: '1' }), { code: 1, out: 'ready\nstop\n' });
});
