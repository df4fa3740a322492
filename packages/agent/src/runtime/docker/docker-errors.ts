// Docker's errors as the agent reports them: the engine's own message without dockerode's
// "(HTTP code …) unexpected -" prefix, and the HTTP status for the cases that are fine.
export function dockerErrorMessage(e: unknown): string {
  const j = (e as { json?: { message?: string } }).json;
  return (j?.message ?? (e as Error).message ?? String(e)).replace(/^\(HTTP code \d+\)[^-]*-\s*/, '').trim();
}

export function statusCode(e: unknown): number | undefined {
  return (e as { statusCode?: number }).statusCode;
}
