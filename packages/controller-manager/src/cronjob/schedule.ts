// Cron schedules through cron-parser (standard five fields, @hourly/@daily/… and
// spec.timeZone), answering the two questions the controller asks.
import { CronExpressionParser } from 'cron-parser';

export interface Schedule {
  /** The latest scheduled time in (after, now], and how many were missed in between. */
  mostRecent(afterMs: number, nowMs: number): { time?: number; missed: number };
  next(nowMs: number): number;
}

export function parseSchedule(expr: string, timeZone?: string): Schedule {
  let e = expr.trim();
  // Kubernetes accepts a TZ=/CRON_TZ= prefix (deprecated in favour of spec.timeZone).
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(e);
  let tz = timeZone;
  if (m) {
    tz = m[1];
    e = m[2]!;
  }
  if (e.split(/\s+/).length === 6 && !e.startsWith('@')) throw new Error(`unparseable schedule "${expr}": expected exactly 5 fields`);
  const opts = (currentDate: number) => ({ currentDate: new Date(currentDate), ...(tz ? { tz } : { tz: 'UTC' }) });
  CronExpressionParser.parse(e, opts(Date.now())); // throws on a bad expression
  return {
    mostRecent(afterMs, nowMs) {
      const it = CronExpressionParser.parse(e, opts(afterMs));
      let last: number | undefined;
      let missed = 0;
      for (;;) {
        const t = it.next().getTime();
        if (t > nowMs) break;
        last = t;
        if (++missed > 100) {
          // Too many missed starts: Kubernetes gives up counting; jump to the latest.
          last = CronExpressionParser.parse(e, opts(nowMs + 1)).prev().getTime();
          break;
        }
      }
      return { time: last, missed };
    },
    next(nowMs) {
      return CronExpressionParser.parse(e, opts(nowMs)).next().getTime();
    },
  };
}
