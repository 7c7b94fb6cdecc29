import { COMPONENT, TIMING, platformToken, pushTicket } from './component.spec.helper.js';
import { LocalStore } from '../../store/local-store.js';
import { AccountTickets } from '../credentials/account-tickets.js';
import { AccountTokens } from '../credentials/account-tokens.js';
import { CredentialCache } from '../credentials/credential-cache.js';
import { RefreshBudget } from '../credentials/refresh-budget.js';
import { SILENT, type Transport } from '../ports.js';
import { WechatApiError } from '../wechat-api.error.js';
import { AuthorizerTokenSource } from './authorizer-source.js';
import { type AuthorizerRecord, StoreAuthorizers } from './authorizers.js';
import { ComponentApi } from './component-api.js';

const record = (authorizerAppId: string, refreshToken = `refreshtoken@@@${authorizerAppId}`): AuthorizerRecord => ({
  authorizerAppId,
  refreshToken,
  permissionSets: [1, 4],
  authorizedAt: '2026-12-08T00:00:00.000Z',
});

describe('StoreAuthorizers', () => {
  it('keeps, lists and removes authorizers, each platform its own', async () => {
    const store = new LocalStore();
    const mine = new StoreAuthorizers(store, 'p:', COMPONENT);
    const theirs = new StoreAuthorizers(store, 'p:', 'wx0000000000000000');
    await mine.save(record('wxa1'));
    await mine.save(record('wxa2'));
    await mine.save({ ...record('wxa1'), refreshToken: 'refreshtoken@@@new' });
    expect(await mine.load('wxa1')).toEqual({ ...record('wxa1'), refreshToken: 'refreshtoken@@@new' });
    expect((await mine.list()).map((r) => r.authorizerAppId)).toEqual(['wxa1', 'wxa2']);
    expect(await theirs.list()).toEqual([]);
    expect(await theirs.load('wxa1')).toBeUndefined();
    await mine.remove('wxa1');
    expect(await mine.load('wxa1')).toBeUndefined();
    expect((await mine.list()).map((r) => r.authorizerAppId)).toEqual(['wxa2']);
  });

  it('removes one authorizer and keeps the others, and reads an index of another shape as far as it goes', async () => {
    const store = new LocalStore();
    const authorizers = new StoreAuthorizers(store, 'p:', COMPONENT);
    for (const id of ['wxa1', 'wxa2', 'wxa3']) await authorizers.save(record(id));
    await authorizers.remove('wxa2');
    expect((await authorizers.list()).map((r) => r.authorizerAppId)).toEqual(['wxa1', 'wxa3']);
    await store.set(`p:{${COMPONENT}}:authorizers`, ['wxa1', 7, null, 'wxa3'], 60_000);
    expect((await authorizers.list()).map((r) => r.authorizerAppId)).toEqual(['wxa1', 'wxa3']);
    await store.set(`p:{${COMPONENT}}:authorizers`, 'wxa1', 60_000);
    expect(await authorizers.list()).toEqual([]);
    await authorizers.save(record('wxa4'));
    expect((await authorizers.list()).map((r) => r.authorizerAppId)).toEqual(['wxa4']);
  });

  it('loses no authorizer when two instances add at once', async () => {
    const store = new LocalStore();
    const a = new StoreAuthorizers(store, 'p:', COMPONENT);
    const b = new StoreAuthorizers(store, 'p:', COMPONENT);
    const ids = Array.from({ length: 12 }, (_, i) => `wxa${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).save(record(id))));
    expect((await a.list()).map((r) => r.authorizerAppId).sort()).toEqual([...ids].sort());
  });

  it('keeps them for years (no cache expiry), and takes values of another shape for none', async () => {
    let now = Date.now();
    const store = new LocalStore(() => now);
    const authorizers = new StoreAuthorizers(store, 'p:', COMPONENT);
    await authorizers.save(record('wxa1'));
    now += 5 * 365 * 24 * 3600_000;
    expect(await authorizers.load('wxa1')).toEqual(record('wxa1'));
    for (const garbage of [
      null,
      'text',
      { ...record('wxa1'), refreshToken: '' },
      { ...record('wxa1'), refreshToken: 5 },
      { ...record('wxa1'), authorizedAt: 5 },
      { ...record('wxa1'), authorizerAppId: 5 },
      { ...record('wxa1'), permissionSets: 1 },
      record('wxother'),
    ]) {
      await store.set(`p:{${COMPONENT}}:authorizer:wxa1`, garbage, 60_000);
      expect(await authorizers.load('wxa1')).toBeUndefined();
    }
  });
});

describe('AuthorizerTokenSource', () => {
  async function setUp(answer: (body: Record<string, unknown>) => object) {
    const store = new LocalStore();
    const calls: string[] = [];
    const transport = {
      post: async (endpoint: string, body: Record<string, unknown>) => {
        if (endpoint === 'cgi-bin/component/api_component_token')
          return { component_access_token: 'component-token-0123456789', expires_in: 7200 };
        calls.push(`${endpoint} ${String(body.authorizer_refresh_token)}`);
        return answer(body);
      },
      get: async (endpoint: string, query: Record<string, unknown>) => {
        calls.push(`${endpoint} ${String(query.access_token)}`);
        return { ticket: 'jsapi-ticket-of-the-authorizer-0123', expires_in: 7200 };
      },
    } as unknown as Transport;
    const { tickets, token } = platformToken(store, transport);
    await pushTicket(tickets);
    const authorizers = new StoreAuthorizers(store, 'p:', COMPONENT);
    await authorizers.save(record('wxa1', 'refreshtoken@@@first'));
    const source = new AuthorizerTokenSource(new ComponentApi({ componentAppId: COMPONENT }, token, transport), authorizers);
    return { source, authorizers, calls, store, transport };
  }

  it('gives the authorizer’s token from its refresh token, and keeps the refresh token WeChat returns', async () => {
    const { source, authorizers, calls } = await setUp(() => ({
      authorizer_access_token: 'authorizer-token-0123456789',
      expires_in: 7200,
      authorizer_refresh_token: 'refreshtoken@@@second',
    }));
    expect(await source.fetch('wxa1', 'access_token')).toEqual({ value: 'authorizer-token-0123456789', expiresInSec: 7200 });
    expect((await authorizers.load('wxa1'))?.refreshToken).toBe('refreshtoken@@@second');
    await source.reportInvalid('wxa1');
    expect(calls).toEqual([
      'cgi-bin/component/api_authorizer_token refreshtoken@@@first',
      'cgi-bin/component/api_authorizer_token refreshtoken@@@second',
    ]);
  });

  it('marks an authorizer whose refresh token WeChat refused, and asks WeChat nothing more for it', async () => {
    const { source, authorizers, calls } = await setUp(() => {
      throw new WechatApiError(61023, 'refresh_token is invalid', 'cgi-bin/component/api_authorizer_token');
    });
    await expect(source.fetch('wxa1', 'access_token')).rejects.toMatchObject({ code: 'AUTHORIZER_NEEDS_AUTHORIZATION' });
    expect((await authorizers.load('wxa1'))?.needsAuthorization).toBe(true);
    await expect(source.fetch('wxa1', 'access_token')).rejects.toMatchObject({ code: 'AUTHORIZER_NEEDS_AUTHORIZATION' });
    expect(calls).toHaveLength(1);
    await expect(source.fetch('wxnever', 'access_token')).rejects.toMatchObject({ statusCode: 404, code: 'UNKNOWN_ACCOUNT' });
  });

  it('marks nothing for another failure (a quota, an outage)', async () => {
    const { source, authorizers } = await setUp(() => {
      throw new WechatApiError(45009, 'reach max api daily quota limit', 'cgi-bin/component/api_authorizer_token');
    });
    await expect(source.fetch('wxa1', 'access_token')).rejects.toMatchObject({ errcode: 45009 });
    expect((await authorizers.load('wxa1'))?.needsAuthorization).toBeUndefined();
    await expect(source.fetch('wxa1', 'jsapi_ticket')).rejects.toThrow(/fetched with its access_token/);
  });

  it('lets an account’s tickets be fetched from WeChat with the authorizer’s token (its appId, not the platform’s)', async () => {
    const { source, calls, store, transport } = await setUp(() => ({
      authorizer_access_token: 'authorizer-token-0123456789',
      expires_in: 7200,
    }));
    const cache = new CredentialCache(store, TIMING);
    const settings = { appId: 'wxa1', appSecret: '', jsDomains: [], tokenMode: 'stable' as const };
    const tokens = new AccountTokens(
      settings,
      'p:{wxa1}:access_token',
      transport,
      cache,
      SILENT,
      { budget: new RefreshBudget(store), forceKey: 'p:{wxa1}:force' },
      source,
    );
    const tickets = new AccountTickets(
      'wxa1',
      { jsapi: 'p:{wxa1}:jsapi_ticket', wx_card: 'p:{wxa1}:wx_card_ticket' },
      transport,
      tokens,
      cache,
      source,
    );
    expect(await tickets.getJsapiTicket()).toBe('jsapi-ticket-of-the-authorizer-0123');
    expect(calls).toEqual([
      'cgi-bin/component/api_authorizer_token refreshtoken@@@first',
      'cgi-bin/ticket/getticket authorizer-token-0123456789',
    ]);
  });
});
