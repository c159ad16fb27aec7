// Token buckets for login attempts: one per client address (a guesser gets a few tries a minute)
// and one shared by everyone (many addresses — IPv6 gives a phone plenty — still cannot keep the
// CPU busy with scrypt). Memory is bounded: full buckets are forgotten. Main thread.

export interface TokenBucketOptions {
  /** Tries available at once. */
  capacity: number;
  /** Time to earn one try back, ms. */
  refillIntervalMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Wait before a try is available again, ms (0 = allowed now). */
export type RetryAfterMs = number;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: TokenBucketOptions, private readonly now: () => number = Date.now) {}

  /** Takes a token for `key` if there is one; returns 0 when taken, else how long until one is available (ms). */
  take(key: string): RetryAfterMs {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) * this.options.refillIntervalMs);
  }

  /** How long until `key` has a token, without taking one (ms). */
  waitFor(key: string): RetryAfterMs {
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) * this.options.refillIntervalMs);
  }

  /** Buckets currently remembered (tests; the bound on memory). */
  size(): number {
    return this.buckets.size;
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + (now - bucket.updatedAt) / this.options.refillIntervalMs);
    bucket.updatedAt = now;
    if (bucket.tokens >= this.options.capacity) this.buckets.delete(key);
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return bucket;
  }

  /** Drops buckets that have refilled completely (they behave exactly like absent ones). */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) / this.options.refillIntervalMs >= this.options.capacity) this.buckets.delete(key);
    }
  }
}
