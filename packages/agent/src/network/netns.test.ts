import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsShell } from './netns.js';

/** POSTROUTING of the nat table as iptables keeps it, for the -S / -D / -I podnet issues. */
class FakeNat extends NetnsShell {
  constructor(public rules: string[]) {
    super();
  }
  override async exec(cmd: string, args: string[]): Promise<string> {
    assert.equal(cmd, 'iptables');
    const op = args[3];
    const spec = (from: number) => `-A POSTROUTING ${args.slice(from).map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ')}`;
    if (op === '-S') return this.rules.join('\n') + '\n';
    if (op === '-D') {
      const i = this.rules.indexOf(spec(5));
      if (i < 0) throw new Error('Bad rule');
      this.rules.splice(i, 1);
    } else if (op === '-I') this.rules.splice(Number(args[5]) - 1, 0, spec(6));
    return '';
  }
}

const OURS = '-A POSTROUTING -s 10.1.128.0/24 -d 10.1.128.0/18 -m comment --comment "k8ts: pod to pod without NAT" -j RETURN';
const PROXY = '-A POSTROUTING -m comment --comment "k8ts postrouting rules" -j K8TS-POSTROUTING';
const DOCKER = '-A POSTROUTING -s 10.1.128.0/24 ! -o br-1 -j MASQUERADE';

test("podnet's RETURN goes right before Docker's MASQUERADE and leaves the proxy's jump ahead of it", async () => {
  const nat = new FakeNat([PROXY, DOCKER]);
  assert.equal(await nat.ensureNoMasquerade('10.1.128.0/24', '10.1.128.0/18'), true);
  assert.deepEqual(nat.rules, [PROXY, OURS, DOCKER]);
  // In place: nothing moves (the proxy and podnet no longer take first place from each other).
  assert.equal(await nat.ensureNoMasquerade('10.1.128.0/24', '10.1.128.0/18'), false);
  assert.deepEqual(nat.rules, [PROXY, OURS, DOCKER]);
});

test('a RETURN below a MASQUERADE Docker put first is moved above it; with no MASQUERADE yet it is appended', async () => {
  const nat = new FakeNat([DOCKER, PROXY, OURS]);
  assert.equal(await nat.ensureNoMasquerade('10.1.128.0/24', '10.1.128.0/18'), true);
  assert.deepEqual(nat.rules, [OURS, DOCKER, PROXY]);
  const empty = new FakeNat([PROXY]);
  await empty.ensureNoMasquerade('10.1.128.0/24', '10.1.128.0/18');
  assert.deepEqual(empty.rules, [PROXY, OURS]);
});
