// intstr.GetScaledValueFromIntOrPercent.
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: number | string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value "${x}": must be an integer or percentage (e.g '5%')`);
  }
  const p = Number(m[1]);
  return roundUp ? Math.ceil((p * total) / 100) : Math.floor((p * total) / 100);
}
