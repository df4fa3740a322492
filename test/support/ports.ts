// Ports for the servers tests start. Picked below the kernel's ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 by default) because a port handed out by
// `listen(0)` comes from that range: between the pick and the real server's bind, any outgoing
// connection on the machine may take it as its local port, and the bind then fails with
// "port is already allocated" (seen once in CI on the compose apiserver).
import net from 'node:net';
import { readFileSync } from 'node:fs';

const LOW = 20_000;

function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

const given = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port on 127.0.0.1 that nothing listens on now and that no outgoing connection will take. */
export async function freePort(): Promise<number> {
  const high = Math.max(LOW + 1000, ephemeralStart());
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (high - LOW));
    if (given.has(port)) continue;
    if (await bindable(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${LOW} and ${high}`);
}

/** `count` consecutive free ports (etcd's client, peer and metrics ports as `k8ts up` lays them out). */
export async function freePortRun(count: number): Promise<number[]> {
  for (let i = 0; i < 50; i++) {
    const first = await freePort();
    const rest = Array.from({ length: count - 1 }, (_, k) => first + 1 + k);
    if (rest.some((p) => given.has(p))) continue;
    if ((await Promise.all(rest.map(bindable))).every(Boolean)) {
      for (const p of rest) given.add(p);
      return [first, ...rest];
    }
  }
  throw new Error(`no run of ${count} free ports`);
}
