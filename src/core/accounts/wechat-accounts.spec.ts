import { AccountRequiredError, UnknownAccountError } from './account-errors.js';
import type { WechatAccountSettings } from './account-config.js';
import { type AccountsDeps, WechatAccounts } from './wechat-accounts.js';

const account = (appId: string, jsDomains: string[] = []): WechatAccountSettings => ({
  appId,
  appSecret: `${appId}-secret`,
  jsDomains,
  tokenMode: 'stable',
});
const deps = { keyPrefix: 'p:' } as AccountsDeps;

describe('WechatAccounts', () => {
  const accounts = new WechatAccounts(
    [
      account('wxdefault', ['www.example.com']),
      account('wxb', ['b.example.com', 'both.example.com']),
      account('wxc', ['*.c.example.com', 'both.example.com']),
    ],
    deps,
  );

  it('gives the default account without an appId, each account by its appId, and refuses others', () => {
    expect(accounts.get().appId).toBe('wxdefault');
    expect(accounts.get('wxc').appId).toBe('wxc');
    expect(accounts.get('wxc')).toBe(accounts.get('wxc'));
    expect(() => accounts.get('wxnone')).toThrow(UnknownAccountError);
    expect(accounts.appIds()).toEqual(['wxdefault', 'wxb', 'wxc']);
  });

  it.each([
    ['https://b.example.com/x', 'wxb'],
    ['https://B.EXAMPLE.COM/x', 'wxb'],
    ['http://a.c.example.com:8080/', 'wxc'],
    ['https://c.example.com/', 'wxdefault'],
    ['https://www.example.com/', 'wxdefault'],
    ['https://elsewhere.org/', 'wxdefault'],
    ['not a url', 'wxdefault'],
    [42, 'wxdefault'],
  ])('chooses the account for %s: %s', (url, appId) => {
    expect(accounts.forPage(url).appId).toBe(appId);
    // asked again (from the memo): the same answer
    expect(accounts.forPage(url).appId).toBe(appId);
  });

  it('refuses to guess for a host of several accounts, every time', () => {
    expect(() => accounts.forPage('https://both.example.com/1')).toThrow(AccountRequiredError);
    expect(() => accounts.forPage('https://both.example.com/2')).toThrow(AccountRequiredError);
    expect(accounts.select('wxb', 'https://both.example.com/').appId).toBe('wxb');
  });

  it('an explicit appId wins over the host', () => {
    expect(accounts.select('wxc', 'https://b.example.com/').appId).toBe('wxc');
    expect(accounts.select(undefined, 'https://b.example.com/').appId).toBe('wxb');
    expect(accounts.select(undefined).appId).toBe('wxdefault');
  });

  it('with one account, every page is that account', () => {
    const single = new WechatAccounts([account('wxonly', ['a.example.com'])], deps);
    expect(single.forPage('https://b.example.com/').appId).toBe('wxonly');
  });

  it('says what OAuth needs when OAuthModule is missing', () => {
    expect(() => accounts.get('wxb').oauth).toThrow(/OAuthModule/);
  });
});
