import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Home, defaultConfig } from '../home.js';
import { machinesLayout } from '../machines/layout.js';
import { agentRegistryArgs, registryConfig, registryInstances } from './layout.js';

const home = new Home('/tmp/h');

test('one cluster: the registry on loopback, the agents pull through it there', () => {
  const c = { ...defaultConfig, registryPort: 5007 };
  assert.deepEqual(registryInstances(home, c).map((i) => [i.name, i.addr, i.readOnly]), [['registry', '127.0.0.1:5007', false]]);
  assert.deepEqual(agentRegistryArgs(c), ['--image-registry', '127.0.0.1:5007', '--image-registry-names', 'localhost:5007,127.0.0.1:5007']);
});

test('machines: a read-only twin on the host\'s LAN address, which the machines\' engines pull from', () => {
  const c = { ...defaultConfig, machines: 2 };
  const l = machinesLayout(c, home);
  assert.deepEqual(registryInstances(home, c, l).map((i) => [i.name, i.addr, i.readOnly]), [['registry', '127.0.0.1:5000', false], ['registry-lan', '10.213.255.1:5000', true]]);
  assert.deepEqual(agentRegistryArgs(c, l), ['--image-registry', '10.213.255.1:5000', '--image-registry-names', 'localhost:5000,127.0.0.1:5000']);
  assert.equal(l.registry, '10.213.255.1:5000');
});

test('the configuration: storage under the home, JSON logs, deletes, read-only for the twin, one secret', () => {
  const [rw, ro] = registryInstances(home, { ...defaultConfig, machines: 1 }, machinesLayout({ ...defaultConfig, machines: 1 }, home));
  const a = JSON.parse(registryConfig('/tmp/h/registry/data', rw!, 's3cret'));
  const b = JSON.parse(registryConfig('/tmp/h/registry/data', ro!, 's3cret'));
  assert.equal(a.storage.filesystem.rootdirectory, '/tmp/h/registry/data');
  assert.equal(a.http.addr, '127.0.0.1:5000');
  assert.equal(a.log.formatter, 'json');
  assert.equal(a.storage.delete.enabled, true);
  assert.equal(a.storage.maintenance, undefined);
  assert.equal(b.storage.maintenance.readonly.enabled, true);
  assert.equal(b.http.secret, a.http.secret);
});
