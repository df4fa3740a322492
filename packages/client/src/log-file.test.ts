// A component whose K8TS_LOG_FILE is set writes its pino lines there, rotated by size with a
// bounded number of old files. Run in a child process: the stream is one per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

test('logs rotate by size and keep at most K8TS_LOG_MAX_FILES old files', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-logfile-'));
  try {
    const script = `
      import { createLogger } from '@k8ts/client';
      const log = createLogger('chatty');
      const pad = 'x'.repeat(200);
      for (let i = 0; i < 3000; i++) log.info({ i, pad }, 'line');
      await new Promise((r) => setTimeout(r, 500));
    `;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, K8TS_LOG_FILE: join(dir, 'chatty.log'), K8TS_LOG_MAX_SIZE: '100K', K8TS_LOG_MAX_FILES: '3', K8TS_LOG_LEVEL: 'info' },
      stdio: 'pipe',
    });
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['chatty.log', 'chatty.log.1', 'chatty.log.2', 'chatty.log.3']);
    for (const f of files) assert.ok(statSync(join(dir, f)).size <= 110 * 1024, `${f} is ${statSync(join(dir, f)).size} bytes`);
    const last = readFileSync(join(dir, 'chatty.log'), 'utf8').trim().split('\n').pop()!;
    assert.equal(JSON.parse(last).i, 2999);
    assert.equal(JSON.parse(last).component, 'chatty');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
