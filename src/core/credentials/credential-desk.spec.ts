import type { WechatAccounts } from '../accounts/wechat-accounts.js';
import { Problem } from '../problem.js';
import type { BudgetRule, RefreshBudget } from './refresh-budget.js';
import type { StoredCredential } from './credential-store.js';
import type { ReportedTokenCheck } from './reported-token-check.js';
import { CredentialDesk } from './credential-desk.js';

const NOW = 1_800_000_000_000;
const APP = 'wxdesk';
const PREFIX = 'p:';
/** two hours from NOW; the cache's margin (60 s) is taken off what the desk answers */
const stored = (value: string, expiresAt = NOW + 7_200_000): StoredCredential => ({ value, fetchedAt: NOW, expiresAt });
const TOKEN = stored('TOKEN_current_0123456789');
const NEXT = stored('TOKEN_next_0123456789ab', NOW + 7_300_000);
const JSAPI = stored('TICKET_jsapi_0123456789');
const CARD = stored('TICKET_card_01234567890');

/**
 * One account as the desk sees it: what this process holds (`held`), what the shared tier answers,
 * and a token replacement that runs the budget spend it is handed before "fetching" NEXT.
 */
function setup(options: { held?: boolean; rejected?: boolean; budgetFails?: Error } = {}) {
  const calls: string[] = [];
  const spent: { key: string; rule: BudgetRule }[] = [];
  const logged: { warn: string[]; error: string[] } = { warn: [], error: [] };
  const held = options.held ?? false;
  const tokens = {
    peekCurrent: () => (calls.push('tokens.peek'), held ? TOKEN : undefined),
    current: async () => (calls.push('tokens.current'), TOKEN),
    replaceCurrent: async (rejected: string, beforeFetch?: () => Promise<void>) => {
      calls.push(`tokens.replace(${rejected})`);
      await beforeFetch?.();
      return NEXT;
    },
  };
  const ticketOf = { jsapi: JSAPI, wx_card: CARD } as Record<string, StoredCredential>;
  const tickets = {
    peekCurrent: (type: string) => (calls.push(`tickets.peek(${type})`), held ? ticketOf[type] : undefined),
    current: async (type: string) => (calls.push(`tickets.current(${type})`), ticketOf[type]!),
  };
  const accounts = {
    has: (appId: string) => appId === APP,
    get: (appId: string) => {
      calls.push(`get(${appId})`);
      return { appId, tokens, tickets };
    },
  } as unknown as WechatAccounts;
  const check = {
    confirmsRejected: async (appId: string, value: string) => (calls.push(`check(${appId},${value})`), options.rejected ?? true),
  } as unknown as ReportedTokenCheck;
  const budget = {
    spend: async (key: string, rule: BudgetRule) => {
      spent.push({ key, rule });
      if (options.budgetFails) throw options.budgetFails;
    },
  } as unknown as RefreshBudget;
  const log = { warn: (m: string) => void logged.warn.push(m), error: (m: string) => void logged.error.push(m) };
  let now = NOW;
  const desk = new CredentialDesk(accounts, { check, budget, keyPrefix: PREFIX, maxPerHour: 4, log }, () => now);
  return { desk, calls, spent, logged, setNow: (t: number) => (now = t) };
}

const problemOf = async (work: () => unknown): Promise<Problem> => {
  try {
    await work();
  } catch (error) {
    return error as Problem;
  }
  throw new Error('expected a Problem');
};

describe('CredentialDesk', () => {
  describe('read', () => {
    it('answers what this process holds at once, without asking the shared tier', () => {
      const { desk, calls } = setup({ held: true });
      const answer = desk.read(APP, 'access_token');
      expect(answer).not.toBeInstanceOf(Promise);
      expect(answer).toEqual({
        appId: APP,
        kind: 'access_token',
        value: TOKEN.value,
        expiresAt: NOW + 7_140_000,
        expiresIn: 7140,
      });
      expect(calls).toEqual([`get(${APP})`, 'tokens.peek']);
    });

    it('reads each ticket kind from its own ticket type', () => {
      const { desk, calls } = setup({ held: true });
      expect(desk.read(APP, 'jsapi_ticket')).toMatchObject({ kind: 'jsapi_ticket', value: JSAPI.value });
      expect(desk.read(APP, 'wx_card_ticket')).toMatchObject({ kind: 'wx_card_ticket', value: CARD.value });
      expect(calls).toEqual([`get(${APP})`, 'tickets.peek(jsapi)', `get(${APP})`, 'tickets.peek(wx_card)']);
    });

    it('falls back to the shared tier (a promise) when this process holds nothing', async () => {
      const { desk, calls } = setup();
      const token = desk.read(APP, 'access_token');
      expect(token).toBeInstanceOf(Promise);
      expect(await token).toEqual({
        appId: APP,
        kind: 'access_token',
        value: TOKEN.value,
        expiresAt: NOW + 7_140_000,
        expiresIn: 7140,
      });
      expect(await desk.read(APP, 'jsapi_ticket')).toMatchObject({ kind: 'jsapi_ticket', value: JSAPI.value });
      expect(await desk.read(APP, 'wx_card_ticket')).toMatchObject({ kind: 'wx_card_ticket', value: CARD.value });
      expect(calls).toEqual([
        `get(${APP})`,
        'tokens.peek',
        'tokens.current',
        `get(${APP})`,
        'tickets.peek(jsapi)',
        'tickets.current(jsapi)',
        `get(${APP})`,
        'tickets.peek(wx_card)',
        'tickets.current(wx_card)',
      ]);
    });

    it('counts expiresIn in whole seconds left from now, never below 0', () => {
      const { desk, setNow } = setup({ held: true });
      // 7 139.5 s left: rounded down
      setNow(NOW + 500);
      expect(desk.read(APP, 'access_token')).toMatchObject({ expiresAt: NOW + 7_140_000, expiresIn: 7139 });
      // past expiresAt the holder gets 0, not a negative count
      setNow(NOW + 7_150_000);
      expect(desk.read(APP, 'access_token')).toMatchObject({ expiresIn: 0 });
    });

    it('404 UNKNOWN_ACCOUNT for an account not configured here, 404 UNKNOWN_KIND for a kind not served', async () => {
      const { desk, calls } = setup({ held: true });
      expect(await problemOf(() => desk.read('wxother', 'access_token'))).toMatchObject({
        statusCode: 404,
        code: 'UNKNOWN_ACCOUNT',
      });
      const unknown = await problemOf(() => desk.read(APP, 'component_token'));
      expect(unknown).toBeInstanceOf(Problem);
      expect(unknown).toMatchObject({ statusCode: 404, code: 'UNKNOWN_KIND' });
      // the unknown account is refused before anything is built for it
      expect(calls).toEqual([`get(${APP})`]);
    });
  });

  describe('reportInvalid', () => {
    it('400 VALIDATION_FAILED unless the value is a string of 1-512 characters', async () => {
      const { desk, calls } = setup();
      for (const value of [undefined, 42, ['x'], '', 'x'.repeat(513)]) {
        expect(await problemOf(() => desk.reportInvalid(APP, value))).toMatchObject({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      // nothing is read for a malformed report
      expect(calls.filter((c) => c !== `get(${APP})`)).toEqual([]);
      // 512 characters is still a value, and one that is not current costs nothing
      expect(await desk.reportInvalid(APP, 'x'.repeat(512))).toMatchObject({ value: TOKEN.value });
      expect(await desk.reportInvalid(APP, 'x')).toMatchObject({ value: TOKEN.value });
    });

    it('404 UNKNOWN_ACCOUNT for an account not configured here', async () => {
      const { desk } = setup();
      expect(await problemOf(() => desk.reportInvalid('wxother', TOKEN.value))).toMatchObject({
        statusCode: 404,
        code: 'UNKNOWN_ACCOUNT',
      });
    });

    it('a value that is not the current token answers the current one, asking WeChat nothing', async () => {
      const { desk, calls, spent } = setup();
      expect(await desk.reportInvalid(APP, 'TOKEN_older_0123456789')).toEqual({
        appId: APP,
        kind: 'access_token',
        value: TOKEN.value,
        expiresAt: NOW + 7_140_000,
        expiresIn: 7140,
      });
      expect(calls).toEqual([`get(${APP})`, 'tokens.current']);
      expect(spent).toEqual([]);
    });

    it('the current token WeChat still accepts is kept, and the refusal is logged without the value', async () => {
      const { desk, calls, spent, logged } = setup({ rejected: false });
      expect(await desk.reportInvalid(APP, TOKEN.value)).toEqual({
        appId: APP,
        kind: 'access_token',
        value: TOKEN.value,
        expiresAt: NOW + 7_140_000,
        expiresIn: 7140,
      });
      expect(calls).toEqual([`get(${APP})`, 'tokens.current', `check(${APP},${TOKEN.value})`]);
      expect(spent).toEqual([]);
      expect(logged.warn).toHaveLength(1);
      expect(logged.warn[0]).toContain(APP);
      expect(logged.warn[0]).not.toContain(TOKEN.value);
    });

    it('the current token WeChat rejects is replaced, spending one of the hourly report budget', async () => {
      const { desk, calls, spent, logged } = setup();
      expect(await desk.reportInvalid(APP, TOKEN.value)).toEqual({
        appId: APP,
        kind: 'access_token',
        value: NEXT.value,
        expiresAt: NOW + 7_240_000,
        expiresIn: 7240,
      });
      expect(calls).toEqual([`get(${APP})`, 'tokens.current', `check(${APP},${TOKEN.value})`, `tokens.replace(${TOKEN.value})`]);
      expect(spent).toEqual([
        {
          key: `${PREFIX}{${APP}}:access_token:report-refreshes`,
          rule: { name: 'reported-token refresh', max: 4, windowMs: 3_600_000 },
        },
      ]);
      expect(logged).toEqual({ warn: [], error: [] });
    });

    it('a spent budget refuses the replacement: the error is logged and passed on', async () => {
      const exhausted = new Problem(429, 'REFRESH_BUDGET_EXHAUSTED', 'spent', { retryAfter: 10 });
      const { desk, logged } = setup({ budgetFails: exhausted });
      expect(await problemOf(() => desk.reportInvalid(APP, TOKEN.value))).toBe(exhausted);
      expect(logged.error).toHaveLength(1);
      expect(logged.error[0]).toContain(APP);
      expect(logged.error[0]).toContain('spent');
    });
  });
});
