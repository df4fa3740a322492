// CronJob schedules as Kubernetes reads them (robfig/cron's standard parser): five fields
// or a descriptor, with robfig's error messages, then cron-parser as a second opinion.
import { createRequire } from 'node:module';
import type { CronExpressionParser as Parser } from 'cron-parser';

// cron-parser is loaded on first use: it brings luxon, ≈ 2 MiB of heap in every process that
// imports @k8ts/api, and only a CronJob's validation needs it.
let parser: typeof Parser | undefined;
const cronParser = (): typeof Parser => (parser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser);

const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const dows = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const fieldBounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: dows },
];

function parseIntOrName(s: string, b: Bounds, expr: string): number {
  const named = b.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  void expr;
  return Number(s);
}

/** robfig's getRange: `*`, `?`, `a`, `a-b`, each with an optional `/step`. */
function checkRange(expr: string, b: Bounds): void {
  const [rangePart, stepPart, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  let start: number;
  let end: number;
  if (rangePart === '*' || rangePart === '?') {
    start = b.min;
    end = b.max;
  } else {
    const lh = rangePart!.split('-');
    if (lh.length > 2) throw new Error(`too many hyphens: ${expr}`);
    start = parseIntOrName(lh[0]!, b, expr);
    end = lh.length === 2 ? parseIntOrName(lh[1]!, b, expr) : start;
  }
  if (stepPart !== undefined) {
    if (!/^\d+$/.test(stepPart)) throw new Error(`failed to parse int from ${stepPart}: strconv.Atoi: parsing ${JSON.stringify(stepPart)}: invalid syntax`);
    if (Number(stepPart) === 0) throw new Error(`step of range should be a positive number: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
}

/**
 * Checks a schedule; returns the five-field expression (descriptors expanded) or, for
 * `@every <duration>`, the descriptor itself. Throws with robfig's message.
 */
export function normalizeCronSchedule(schedule: string): string {
  const s = schedule.trim();
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ='))
    throw new Error('CRON_TZ or TZ used in schedule is not supported, please use the dedicated timeZone field instead');
  if (s.startsWith('@every ')) {
    if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s.slice(7).trim())) throw new Error(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s.slice(7).trim())}`);
    return s;
  }
  if (s.startsWith('@')) {
    const m = macros[s.toLowerCase()];
    if (!m) throw new Error(`unrecognized descriptor: ${s}`);
    return m;
  }
  const fields = s.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  fields.forEach((f, i) => {
    for (const part of f.split(',')) checkRange(part, fieldBounds[i]!);
  });
  cronParser().parse(fields.join(' '));
  return fields.join(' ');
}
