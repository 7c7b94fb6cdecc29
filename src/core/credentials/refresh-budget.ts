import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';

/** How many refreshes of one kind an account may make in a window. */
export interface BudgetRule {
  /** names the budget in messages and logs (`force_refresh`, `reported-token refresh`) */
  name: string;
  max: number;
  windowMs: number;
}

/**
 * Counts refreshes that spend something scarce at WeChat (a force_refresh, a token fetch a consumer
 * asked for) in the shared store, so the whole cluster shares one budget per account. While the store
 * cannot count, this process counts alone: a store outage must not lift the cap.
 */
export class RefreshBudget {
  private readonly local = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly store: Pick<WechatStore, 'hit'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one of `rule` for `key`; past the cap throws 429 `REFRESH_BUDGET_EXHAUSTED` with `retryAfter` (s). */
  async spend(key: string, rule: BudgetRule): Promise<void> {
    const { count, resetMs } = await this.count(key, rule.windowMs);
    if (count <= rule.max) return;
    const retryAfter = Math.max(1, Math.ceil(resetMs / 1000));
    throw new Problem(
      429,
      'REFRESH_BUDGET_EXHAUSTED',
      `this account's ${rule.name} budget (${rule.max} per ${windowName(rule.windowMs)}) is spent; try again in ${retryAfter} s`,
      { retryAfter },
    );
  }

  private async count(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    try {
      return await this.store.hit(key, windowMs);
    } catch {
      const now = this.now();
      let window = this.local.get(key);
      if (!window || now >= window.resetAt) this.local.set(key, (window = { count: 0, resetAt: now + windowMs }));
      window.count += 1;
      return { count: window.count, resetMs: window.resetAt - now };
    }
  }
}

function windowName(ms: number): string {
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  return `${Math.round(ms / 1000)} s`;
}
