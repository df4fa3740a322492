import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Home, defaultConfig } from '../home.js';
import { machineAgentArgs, machinePodnetArgs, machineProxyArgs, machinesLayout, nodeIpamArgs } from './layout.js';

test('the machines layout: names, addresses and ranges from the cluster\'s /16 and names', () => {
  const home = new Home('/tmp/h');
  const l = machinesLayout({ ...defaultConfig, machines: 2 }, home);
  assert.equal(l.hostLink, 'k8ts-lan');
  assert.deepEqual(l.lan, { netns: 'k8ts-lan', nsPath: '/var/run/netns/k8ts-lan', bridge: 'lan' });
  assert.ok(l.machines.every((m) => m.switchNsPath === l.lan.nsPath));
  assert.equal(l.clusterCidr, '10.213.128.0/18');
  assert.equal(l.hostIP, '10.213.255.1');
  assert.deepEqual(l.machines.map((m) => [m.node, m.netns, m.veth, m.lanIP, m.socket, m.execRoot]), [
    ['agent-1', 'k8ts-agent-1', 'k8ts-m1', '10.213.255.11', '/tmp/h/machines/agent-1/docker.sock', '/run/k8ts-k8ts-m1'],
    ['agent-2', 'k8ts-agent-2', 'k8ts-m2', '10.213.255.12', '/tmp/h/machines/agent-2/docker.sock', '/run/k8ts-k8ts-m2'],
  ]);
  // Interface names fit Linux's 15 characters whatever the network is called.
  const other = machinesLayout({ ...defaultConfig, network: 'a-rather-long-network-name', machines: 64 }, home);
  for (const name of [other.hostLink, ...other.machines.map((m) => m.veth)]) assert.ok(name.length <= 15, name);
  assert.deepEqual(machineAgentArgs(l.machines[0]!), ['--docker-socket', '/tmp/h/machines/agent-1/docker.sock', '--node-ip', '10.213.255.11', '--pod-cidr-from-node']);
  assert.deepEqual(machinePodnetArgs(l), ['--cluster-cidr', '10.213.128.0/18', '--routes', 'host-gw']);
  // Each machine's proxy: the machines' pod ranges are the cluster's pods, its state dir its own.
  assert.deepEqual(machineProxyArgs(defaultConfig, l, l.machines[1]!), [
    '--network', 'k8ts', '--service-cluster-ip-range', defaultConfig.serviceRange, '--load-balancer-pool', defaultConfig.lbPool, '--cluster-cidr', '10.213.128.0/18',
    '--chain-prefix', 'K8TS', '--state-dir', '/run/k8ts-k8ts-m2-proxy', '--node-name', 'agent-2',
  ]);
  assert.deepEqual(nodeIpamArgs(l, '10.96.0.0/16'), ['--allocate-node-cidrs', '--cluster-cidr', '10.213.128.0/18', '--node-cidr-mask-size', '24', '--service-cluster-ip-range', '10.96.0.0/16']);
});

test('a subnet that is not a /16 is refused for machines', () => {
  assert.throws(() => machinesLayout({ ...defaultConfig, subnet: '10.0.0.0/8', machines: 1 }, new Home('/tmp/h')), /--machines needs the cluster --subnet to be a \/16/);
});
