/** Bounded retries with full jitter for WeChat's transient failures. */
export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

/** Delay before retry number `retry` (0-based): uniform in [0, min(max, base * 2^retry)). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
