import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { WechatAccountSettings } from '../../core/accounts/account-config.js';
import { type AccountsDeps, WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import type { GlobalPrefix } from '../http/global-prefix.js';
import type { WechatSessions } from '../sessions/wechat-sessions.js';
import type { ResolvedOAuthOptions } from './oauth.options.js';
import type { SessionUser } from '../../core/oauth/session-user.js';
import { WechatAuthGuard } from './wechat-auth.guard.js';

const account = (appId: string): WechatAccountSettings => ({ appId, appSecret: 's', jsDomains: [], tokenMode: 'stable' });
const accounts = new WechatAccounts([account('wxdefault'), account('wxother')], { keyPrefix: 'p:' } as AccountsDeps);

/** A guard of `Guard` over a session holding `user`; resolves true, or with the error it threw. */
function guarded(Guard: typeof WechatAuthGuard, user: SessionUser | undefined): Promise<unknown> {
  const sessions = { open: async () => ({ get: (key: string) => (key === 'user' ? user : undefined) }) };
  const guard = new Guard(
    { loginPath: '/wechat/oauth/login' } as ResolvedOAuthOptions,
    sessions as unknown as WechatSessions,
    accounts,
    { apply: (path: string) => path } as GlobalPrefix,
    {} as HttpAdapterHost,
  );
  const request = { method: 'GET', url: '/orders', headers: { accept: 'application/json' } };
  const context = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }) } as ExecutionContext;
  return guard.canActivate(context).catch((error: unknown) => error);
}

const user = (appId?: string): SessionUser =>
  ({ openid: 'o1', scope: 'snsapi_base', loggedInAt: '2026-01-01T00:00:00.000Z', ...(appId && { appId }) }) as SessionUser;

describe('WechatAuthGuard', () => {
  it('any account: admits every logged-in user, refuses nobody logged in', async () => {
    expect(await guarded(WechatAuthGuard, user('wxother'))).toBe(true);
    expect(await guarded(WechatAuthGuard, user())).toBe(true);
    expect(await guarded(WechatAuthGuard, undefined)).toMatchObject({ code: 'NOT_AUTHENTICATED' });
  });

  it('for(appId): only users of that account; a session from before accounts (no appId) is the default account’s', async () => {
    const other = WechatAuthGuard.for('wxother') as typeof WechatAuthGuard;
    expect(await guarded(other, user('wxother'))).toBe(true);
    expect(await guarded(other, user('wxdefault'))).toMatchObject({ code: 'NOT_AUTHENTICATED' });
    const legacy = await guarded(other, user());
    expect(legacy).toMatchObject({ code: 'NOT_AUTHENTICATED' });
    expect((legacy as { body: { loginUrl: string } }).body.loginUrl).toBe('/wechat/oauth/login?returnTo=%2Forders&appId=wxother');
    const main = WechatAuthGuard.for('wxdefault') as typeof WechatAuthGuard;
    expect(await guarded(main, user())).toBe(true);
    expect(await guarded(main, user('wxother'))).toMatchObject({ code: 'NOT_AUTHENTICATED' });
  });
});
