// helper.DefaultNormalizeScore: scale to 0..max by the largest score; `reverse` when fewer is better.
export function defaultNormalizeScore(max: number, reverse: boolean, scores: number[]): void {
  let top = 0;
  for (const s of scores) if (s > top) top = s;
  if (top === 0) {
    if (reverse) scores.fill(max);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.floor((max * scores[i]!) / top);
    if (reverse) s = max - s;
    scores[i] = s;
  }
}
