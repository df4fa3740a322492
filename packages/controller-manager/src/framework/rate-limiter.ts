// A token bucket (flowcontrol.NewTokenBucketRateLimiter): `qps` tokens a second up to
// `burst`. A rate of 0 never grants a token.
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private qps: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  setRate(qps: number): void {
    this.refill();
    this.qps = qps;
  }

  private refill() {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  tryAccept(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token is available (Infinity at rate 0). */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return this.qps > 0 ? ((1 - this.tokens) / this.qps) * 1000 : Infinity;
  }
}
