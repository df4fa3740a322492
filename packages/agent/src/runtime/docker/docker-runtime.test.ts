// The exit seen at once: dockerd sends `die` before its list (a copy it updates after the
// event) shows the container exited, so list() asks inspect about containers that died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { DockerRuntime } from './docker-runtime.js';

const ID = 'c0ffee';
const labels = { 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'app', 'io.k8ts.node': 'n1', 'io.k8ts.container.kind': 'app' };

function fakeDocker(events: PassThrough, state: { listed: string; inspected: string }): Docker {
  return {
    listContainers: async () => [{ Id: ID, Labels: labels, State: state.listed, Created: 1, Image: 'i', ImageID: 'sha' }],
    getContainer: () => ({
      inspect: async () => ({
        Created: '2026-01-01T00:00:00Z',
        Image: 'sha',
        Config: { Tty: false },
        NetworkSettings: { Networks: {} },
        State: { Status: state.inspected, Running: state.inspected === 'running', StartedAt: '2026-01-01T00:00:01Z', FinishedAt: state.inspected === 'running' ? '0001-01-01T00:00:00Z' : '2026-01-01T00:00:02Z', ExitCode: 0, OOMKilled: false, Error: '' },
      }),
    }),
    getEvents: async () => events,
  } as unknown as Docker;
}

test('a container whose die event came is listed as exited while the engine list still says running', async () => {
  const events = new PassThrough();
  const state = { listed: 'running', inspected: 'running' };
  const rt = new DockerRuntime(fakeDocker(events, state), { nodeName: 'n1', network: { name: 'k8ts', subnet: '', ipRange: '', gateway: '' } as never });
  const seen: string[] = [];
  const w = rt.watchEvents((ev) => seen.push(ev.action));
  try {
    assert.equal((await rt.list('uid-1'))[0].running, true);
    // the container exits: inspect knows, the list does not yet
    state.inspected = 'exited';
    events.write(JSON.stringify({ Action: 'die', Actor: { ID, Attributes: { ...labels, exitCode: '0' } } }) + '\n');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['die']);
    const [c] = await rt.list('uid-1');
    assert.equal(c.running, false);
    assert.equal(c.state, 'exited');
    assert.equal((await rt.inspect(c))?.finishedAt, '2026-01-01T00:00:02Z');
    // once the list caught up, it is believed again
    state.listed = 'exited';
    assert.equal((await rt.list('uid-1'))[0].state, 'exited');
  } finally {
    w.stop();
  }
});
