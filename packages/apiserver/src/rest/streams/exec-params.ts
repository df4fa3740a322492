// Query parameters of pods/exec and pods/attach, checked as kube-apiserver checks them.
import { isTrue } from '../query.js';
import { badRequest } from '../status.js';

export interface ExecParams {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function execParams(q: URLSearchParams, kind: 'exec' | 'attach'): ExecParams {
  const p: ExecParams = {
    command: q.getAll('command'),
    stdin: isTrue(q.get('stdin')),
    stdout: isTrue(q.get('stdout')),
    stderr: isTrue(q.get('stderr')),
    tty: isTrue(q.get('tty')),
  };
  // Kubernetes ignores stderr with a tty: the terminal merges it into stdout.
  if (p.tty) p.stderr = false;
  if (!p.stdin && !p.stdout && !p.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (kind === 'exec' && p.command.length === 0) throw badRequest('you must specify at least one command for the container');
  return p;
}
