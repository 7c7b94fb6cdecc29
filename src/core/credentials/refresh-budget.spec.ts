import { Problem } from '../problem.js';
import { createStore } from '../../store/create-store.js';
import { RefreshBudget } from './refresh-budget.js';

const RULE = { name: 'force_refresh', max: 3, windowMs: 86_400_000 };

async function spent(budget: RefreshBudget, key: string, times: number): Promise<(string | undefined)[]> {
  const results: (string | undefined)[] = [];
  for (let i = 0; i < times; i++)
    results.push(
      await budget.spend(key, RULE).then(
        () => undefined,
        (e: Problem) => e.code,
      ),
    );
  return results;
}

describe('RefreshBudget', () => {
  it('lets `max` refreshes through per window and key, then 429 REFRESH_BUDGET_EXHAUSTED with retryAfter', async () => {
    const store = await createStore({ commandTimeoutMs: 1000, warn: () => undefined });
    const budget = new RefreshBudget(store);
    expect(await spent(budget, 'a', 5)).toEqual([
      undefined,
      undefined,
      undefined,
      'REFRESH_BUDGET_EXHAUSTED',
      'REFRESH_BUDGET_EXHAUSTED',
    ]);
    // another account's budget is its own
    expect(await spent(budget, 'b', 1)).toEqual([undefined]);
    const error = await budget.spend('a', RULE).catch((e: Problem) => e);
    expect(error).toBeInstanceOf(Problem);
    expect(error).toMatchObject({ statusCode: 429, extra: { retryAfter: expect.any(Number) } });
    expect((error as Problem).extra.retryAfter).toBeGreaterThan(86_000);
    expect((error as Problem).message).toContain('force_refresh budget (3 per day)');
  });

  it('keeps counting in this process while the store fails: an outage never lifts the cap', async () => {
    let now = 0;
    const failing = { hit: () => Promise.reject(new Error('store down')) };
    const budget = new RefreshBudget(failing, () => now);
    expect(await spent(budget, 'a', 4)).toEqual([undefined, undefined, undefined, 'REFRESH_BUDGET_EXHAUSTED']);
    now += RULE.windowMs;
    // a new window opens when the old one ends
    expect(await spent(budget, 'a', 1)).toEqual([undefined]);
  });

  it('names an hourly window', async () => {
    const budget = new RefreshBudget({ hit: async () => ({ count: 2, resetMs: 1500 }) });
    const error = (await budget
      .spend('k', { name: 'reported-token refresh', max: 1, windowMs: 3_600_000 })
      .catch((e) => e)) as Problem;
    expect(error.message).toContain('(1 per hour)');
    expect(error.extra.retryAfter).toBe(2);
  });

  it('names a window of several days or hours by their count, and any other in seconds', async () => {
    const budget = new RefreshBudget({ hit: async () => ({ count: 2, resetMs: 1000 }) });
    const window = async (windowMs: number) => {
      const error = (await budget.spend('k', { name: 'force_refresh', max: 1, windowMs }).catch((e) => e)) as Problem;
      return /\(1 per (.*)\)/.exec(error.message)?.[1];
    };
    expect(await window(86_400_000)).toBe('day');
    expect(await window(2 * 86_400_000)).toBe('2 days');
    expect(await window(3_600_000)).toBe('hour');
    expect(await window(2 * 3_600_000)).toBe('2 hours');
    // a day and a half is 36 hours, not 1.5 days
    expect(await window(36 * 3_600_000)).toBe('36 hours');
    expect(await window(90_000)).toBe('90 s');
    expect(await window(1_500)).toBe('2 s');
  });

  it('tells from the local count, while the store fails, how long until the window ends', async () => {
    let now = 10_000;
    const budget = new RefreshBudget({ hit: () => Promise.reject(new Error('store down')) }, () => now);
    const rule = { name: 'force_refresh', max: 1, windowMs: 60_000 };
    await budget.spend('a', rule);
    now += 15_500;
    const error = (await budget.spend('a', rule).catch((e) => e)) as Problem;
    expect(error.code).toBe('REFRESH_BUDGET_EXHAUSTED');
    // 44.5 s left, rounded up
    expect(error.extra.retryAfter).toBe(45);
  });

  it('asks for at least a second of patience, even when the window ends now', async () => {
    const budget = new RefreshBudget({ hit: async () => ({ count: 5, resetMs: 0 }) });
    const error = (await budget.spend('k', RULE).catch((e) => e)) as Problem;
    expect(error.extra.retryAfter).toBe(1);
  });
});
