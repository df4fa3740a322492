// The images live in the agent package (it runs them); the CLI only asks for them.
export async function ensureImages(opts: { force?: boolean } = {}): Promise<void> {
  const agent: Record<string, unknown> = await import('@k8ts/agent');
  const build = agent.buildImages as undefined | ((o: { force?: boolean }) => Promise<unknown>);
  if (typeof build !== 'function') throw new Error('this checkout has no image builder (@k8ts/agent buildImages)');
  await build({ force: opts.force });
}
