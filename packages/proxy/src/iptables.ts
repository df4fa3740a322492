// The host side of the rules: reading the tables, writing our chains in one
// iptables-restore, and keeping our jump rules first in the built-in chains.
import { ChainNames } from './chain-names.js';
import { run, mustRun, CommandError } from './exec.js';

export type Table = 'nat' | 'filter';

export interface JumpRule {
  table: Table;
  chain: string;
  args: string[];
}

export interface TableState {
  chains: Set<string>;
  /** Rules of each chain, as iptables-save prints them (without "-A <chain> "). */
  rules: Map<string, string[]>;
}

export function parseSave(text: string): TableState {
  const chains = new Set<string>();
  const rules = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) chains.add(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) {
      const [, chain, ...rest] = line.split(' ');
      if (!rules.has(chain!)) rules.set(chain!, []);
      rules.get(chain!)!.push(rest.join(' '));
    }
  }
  return { chains, rules };
}

export function jumpRules(c: ChainNames): JumpRule[] {
  const portals = ['-m', 'comment', '--comment', 'k8ts service portals'];
  const fresh = ['-m', 'conntrack', '--ctstate', 'NEW'];
  return [
    { table: 'nat', chain: 'PREROUTING', args: [...portals, '-j', c.services] },
    { table: 'nat', chain: 'OUTPUT', args: [...portals, '-j', c.services] },
    { table: 'nat', chain: 'POSTROUTING', args: ['-m', 'comment', '--comment', 'k8ts postrouting rules', '-j', c.postrouting] },
    { table: 'filter', chain: 'OUTPUT', args: [...fresh, ...portals, '-j', c.services] },
    { table: 'filter', chain: 'FORWARD', args: [...fresh, ...portals, '-j', c.services] },
    { table: 'filter', chain: 'FORWARD', args: ['-m', 'comment', '--comment', 'k8ts forwarding rules', '-j', c.forward] },
    { table: 'filter', chain: 'INPUT', args: [...fresh, '-m', 'comment', '--comment', 'k8ts external services', '-j', c.external] },
  ];
}

const NO_PERMISSION = /Permission denied|you must be root|Operation not permitted|can't initialize iptables/i;

export class PermissionError extends Error {}

export class Iptables {
  constructor(readonly chains: ChainNames) {}

  async save(table: Table): Promise<TableState> {
    const r = await run('iptables-save', ['-t', table]);
    if (r.code !== 0) {
      if (NO_PERMISSION.test(r.stderr)) throw new PermissionError(r.stderr.trim());
      throw new CommandError(`iptables-save -t ${table}`, r);
    }
    return parseSave(r.stdout);
  }

  async restore(text: string): Promise<void> {
    const r = await run('iptables-restore', ['--noflush', '-w', '5'], text);
    if (r.code !== 0) {
      if (NO_PERMISSION.test(r.stderr)) throw new PermissionError(r.stderr.trim());
      throw new CommandError('iptables-restore --noflush', r);
    }
  }

  /** Makes sure every jump rule exists and comes before any rule that is not ours. */
  async ensureJumps(states: Record<Table, TableState>): Promise<number> {
    let changed = 0;
    // Reverse so that inserting each at position 1 leaves them in the listed order.
    for (const j of [...jumpRules(this.chains)].reverse()) {
      const target = j.args[j.args.length - 1]!;
      const rules = states[j.table].rules.get(j.chain) ?? [];
      const idx = rules.findIndex((r) => r.endsWith(`-j ${target}`) && this.sameRule(r, j));
      const firstForeign = rules.findIndex((r) => !this.isOurJump(r));
      if (idx >= 0 && (firstForeign < 0 || idx < firstForeign)) continue;
      if (idx >= 0) await run('iptables', ['-w', '5', '-t', j.table, '-D', j.chain, ...j.args]);
      await mustRun('iptables', ['-w', '5', '-t', j.table, '-I', j.chain, '1', ...j.args]);
      changed++;
    }
    return changed;
  }

  async removeJumps(): Promise<void> {
    for (const j of jumpRules(this.chains)) {
      // Delete every copy (a crash between insert and check could leave two).
      for (let i = 0; i < 10; i++) {
        const r = await run('iptables', ['-w', '5', '-t', j.table, '-D', j.chain, ...j.args]);
        if (r.code !== 0) break;
      }
    }
  }

  private isOurJump(rule: string): boolean {
    const m = / -j (\S+)$/.exec(rule);
    return !!m && this.chains.isOurs(m[1]!);
  }

  private sameRule(saved: string, j: JumpRule): boolean {
    // iptables-save quotes comments and orders matches as given; compare the target and comment.
    const commentIdx = j.args.indexOf('--comment');
    return commentIdx < 0 || saved.includes(j.args[commentIdx + 1]!);
  }
}
