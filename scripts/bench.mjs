#!/usr/bin/env node
// `pnpm bench NAME [args]` runs test/bench/NAME.ts (a benchmark that prints figures);
// without a name it lists them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = join(fileURLToPath(import.meta.url), '..', '..', 'test', 'bench');
const names = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.error(`usage: pnpm bench NAME [args]\nbenchmarks: ${names.join(', ')}`);
  process.exit(name ? 1 : 0);
}
const child = spawn(process.execPath, ['--import', 'tsx', join(dir, `${name}.ts`), ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
