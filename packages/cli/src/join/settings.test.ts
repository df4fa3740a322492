import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Home, defaultConfig } from '../home.js';
import { machinesLayout } from '../machines/layout.js';
import { joinConfigMap, joinSettingsOf, parseJoinSettings } from './settings.js';

test('the join settings of a machines cluster read back as they were published', () => {
  const c = { ...defaultConfig, machines: 3 };
  const s = joinSettingsOf(c, machinesLayout(c, new Home('/tmp/h')));
  assert.deepEqual(s, { network: 'k8ts', clusterCidr: '10.213.128.0/18', podRoutes: 'host-gw', serviceRange: c.serviceRange, lbPool: c.lbPool, clusterDns: c.clusterDns, chainPrefix: 'K8TS' });
  assert.deepEqual(parseJoinSettings((joinConfigMap(s) as { data: unknown }).data), s);
  // With the cluster registry: its LAN address and the names pods give it.
  const r = joinSettingsOf(c, machinesLayout(c, new Home('/tmp/h')), { registry: true });
  assert.equal(r.imageRegistry, '10.213.255.1:5000');
  assert.equal(r.imageRegistryNames, 'localhost:5000,127.0.0.1:5000');
  assert.deepEqual(parseJoinSettings((joinConfigMap(r) as { data: unknown }).data), r);
});

test('join settings that are missing or malformed are refused, naming the field', () => {
  const good = { network: 'k8ts', clusterCidr: '10.213.128.0/18', podRoutes: 'host-gw', serviceRange: '10.96.0.0/16', lbPool: '10.214.0.0/24', clusterDns: '10.213.0.1', chainPrefix: 'K8TS' };
  assert.throws(() => parseJoinSettings(undefined), /: no network/);
  assert.throws(() => parseJoinSettings('x'), /: no network/);
  for (const [k, v, why] of [
    ['clusterCidr', '10.213.128.0', /clusterCidr .* is not an IPv4 CIDR/],
    ['serviceRange', 'x/y', /serviceRange .* is not an IPv4 CIDR/],
    ['podRoutes', 'bgp', /neither host-gw nor vxlan/],
    ['clusterDns', '10.0.0.256', /clusterDns .* is not an IPv4 address/],
    ['network', '-rf /', /network .* is not a name/],
    ['chainPrefix', 'K8TS; iptables -F', /chainPrefix .* is not a name/],
    ['lbPool', 5, /: no lbPool/],
    ['imageRegistry', 'x y', /imageRegistry "x y" is not a registry host:port/],
  ] as const) assert.throws(() => parseJoinSettings({ ...good, [k]: v }), why, `${k}=${v}`);
});
