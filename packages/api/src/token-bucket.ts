// A token bucket (client-go's flowcontrol token bucket): `qps` tokens a second up to `burst`,
// full at the start. A rate of 0 never grants a token.
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  setRate(qps: number): void {
    this.refill();
    this.qps = qps;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  /** TryAccept: takes a token if one is there. */
  tryAccept(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is there (Infinity at rate 0). */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return this.qps > 0 ? ((1 - this.tokens) / this.qps) * 1000 : Infinity;
  }

  /** Reserve: takes a token now, owing it if none is there; returns how long to wait for it (ms). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return this.qps > 0 ? (-this.tokens / this.qps) * 1000 : Infinity;
  }
}
