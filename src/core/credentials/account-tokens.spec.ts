import 'reflect-metadata';
import { caching } from 'cache-manager';
import { Problem } from '../problem.js';
import { CacheManagerStore } from '../../store/cache-manager.store.js';
import { WechatApiError, WechatUnavailableError } from '../wechat-api.error.js';
import { CredentialCache } from './credential-cache.js';
import { RefreshBudget } from './refresh-budget.js';
import type { WechatAccountSettings } from '../accounts/account-config.js';
import { AccountTokens, FORCE_REFRESH_RULE } from './account-tokens.js';
import { SILENT, type Transport } from '../ports.js';

const TIMING = {
  lockTtlMs: 5000,
  waitBudgetMs: 2000,
  pollIntervalMs: 5,
  backgroundRetryMs: 1000,
  failureCooldownMs: 0,
  inflightDeadlineMs: 10_000,
};
const token = (n: number) => `token-${String(n).padStart(3, '0')}-${'x'.repeat(60)}`;

/**
 * WeChat's stable_token as far as these rules need it: normal mode answers `current` (which the test
 * may move on), force mode issues a new one. getcallbackip rejects the tokens in `revoked`.
 */
function fakeWechat() {
  const calls: string[] = [];
  let issued = 1;
  const wechat = {
    calls,
    current: token(1),
    revoked: new Set<string>(),
    rotate: () => (wechat.current = token(++issued)),
    transport: {
      get: async (endpoint: string, query: Record<string, unknown>) => {
        calls.push(endpoint);
        if (endpoint !== 'cgi-bin/getcallbackip') throw new Error(`unexpected GET ${endpoint}`);
        if (query.access_token === 'unreachable') throw new WechatUnavailableError(endpoint, 'timed out');
        if (query.access_token === 'refused') throw new WechatApiError(48001, 'api unauthorized', endpoint);
        if (wechat.revoked.has(String(query.access_token))) throw new WechatApiError(40001, 'invalid credential', endpoint);
        return { ip_list: ['127.0.0.1'] };
      },
      post: async (endpoint: string, body: { force_refresh?: boolean }) => {
        calls.push(body.force_refresh ? `${endpoint}(force)` : endpoint);
        if (body.force_refresh) wechat.rotate();
        return { access_token: wechat.current, expires_in: 7200 };
      },
      download: async () => {
        throw new Error('no downloads here');
      },
    } as unknown as Transport,
  };
  return wechat;
}

async function setup(source?: ConstructorParameters<typeof AccountTokens>[6]) {
  const store = new CacheManagerStore(await caching('memory', { max: 100, ttl: 10_000_000 }), undefined);
  const cache = new CredentialCache(store, TIMING);
  const wechat = fakeWechat();
  const settings: WechatAccountSettings = { appId: 'wxapp', appSecret: 'secret-0123', jsDomains: [], tokenMode: 'stable' };
  const budget = new RefreshBudget(store);
  const warnings: string[] = [];
  const tokens = new AccountTokens(
    settings,
    'p:{wxapp}:access_token',
    wechat.transport,
    cache,
    { ...SILENT, warn: (m) => void warnings.push(m) },
    { budget, forceKey: 'p:{wxapp}:force' },
    source,
  );
  return { tokens, wechat, warnings };
}

describe('AccountTokens (stable mode)', () => {
  it('spends no force_refresh when WeChat already hands out a newer token than the rejected one', async () => {
    const { tokens, wechat } = await setup();
    const first = await tokens.getAccessToken();
    wechat.rotate();
    expect(await tokens.replaceAccessToken(first)).toBe(wechat.current);
    expect(wechat.calls).toEqual(['cgi-bin/stable_token', 'cgi-bin/stable_token']);
  });

  it('uses force_refresh only when WeChat hands back the very token it rejected', async () => {
    const { tokens, wechat } = await setup();
    const first = await tokens.getAccessToken();
    const replaced = await tokens.replaceAccessToken(first);
    expect(replaced).not.toBe(first);
    expect(wechat.calls).toEqual(['cgi-bin/stable_token', 'cgi-bin/stable_token', 'cgi-bin/stable_token(force)']);
  });

  it(`never uses force_refresh more than ${FORCE_REFRESH_RULE.max} times a window, whatever asks`, async () => {
    const { tokens, wechat } = await setup();
    let current = await tokens.getAccessToken();
    for (let i = 0; i < FORCE_REFRESH_RULE.max; i++) current = await tokens.replaceAccessToken(current);
    const refused = await tokens.replaceAccessToken(current).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 429, code: 'REFRESH_BUDGET_EXHAUSTED' });
    expect(wechat.calls.filter((c) => c.endsWith('(force)'))).toHaveLength(FORCE_REFRESH_RULE.max);
  });

  it('replaceCurrent runs beforeFetch only when it really fetches, and a refusal there stops the fetch', async () => {
    const { tokens, wechat } = await setup();
    const first = await tokens.getAccessToken();
    let asked = 0;
    // a value already replaced: nothing fetched, nothing spent
    wechat.rotate();
    const newer = await tokens.replaceCurrent(first, async () => void asked++);
    expect(asked).toBe(1);
    expect(await tokens.replaceCurrent(first, async () => void asked++)).toEqual(newer);
    expect(asked).toBe(1);
    const calls = wechat.calls.length;
    await expect(
      tokens.replaceCurrent(newer.value, () => Promise.reject(new Problem(429, 'REFRESH_BUDGET_EXHAUSTED', 'spent'))),
    ).rejects.toMatchObject({ code: 'REFRESH_BUDGET_EXHAUSTED' });
    expect(wechat.calls.length).toBe(calls);
  });

  it('asks getcallbackip whether WeChat still takes a token: 40001 yes, an answer no, anything else thrown', async () => {
    const { tokens, wechat } = await setup();
    wechat.revoked.add('gone');
    expect(await tokens.isRejectedByWechat('gone')).toBe(true);
    expect(await tokens.isRejectedByWechat(token(1))).toBe(false);
    await expect(tokens.isRejectedByWechat('unreachable')).rejects.toBeInstanceOf(WechatUnavailableError);
    await expect(tokens.isRejectedByWechat('refused')).rejects.toMatchObject({ errcode: 48001 });
    expect(wechat.calls.filter((c) => c === 'cgi-bin/getcallbackip')).toHaveLength(4);
  });

  it('with a central credential server, leaves the judgement to it', async () => {
    const never = () => Promise.reject(new Error('not called here'));
    const source = { fetch: never, reportInvalid: never };
    const { tokens, wechat } = await setup(source);
    expect(await tokens.isRejectedByWechat('anything')).toBe(true);
    expect(wechat.calls).toEqual([]);
  });
});
