import { jest } from '@jest/globals';
import { type AccountsDeps, WechatAccounts } from '../accounts/wechat-accounts.js';
import { accountPlace, type MediaPlace, ownerPlace, ownerSpaceKey } from './media-place.js';
import type { MediaStorage } from './media-storage.js';

const accounts = new WechatAccounts(
  [
    { appId: 'wxapp', appSecret: 'secret', jsDomains: [], tokenMode: 'stable' },
    { appId: 'wxother', appSecret: 'secret', jsDomains: [], tokenMode: 'stable' },
  ],
  {} as AccountsDeps,
);

/** A storage that only tells its name; `spaces` gives it forAccount and forOwner, each a named storage of its own. */
function storage(name: string, spaces = false): MediaStorage & { name: string } {
  const named = { name } as unknown as MediaStorage & { name: string };
  if (spaces) {
    named.forAccount = jest.fn((appId: string) => storage(`${name}/account:${appId}`, true));
    named.forOwner = jest.fn((key: string) => storage(`${name}/owner:${key}`));
  }
  return named;
}
const nameOf = (place: MediaPlace | undefined) => (place?.storage as { name?: string } | undefined)?.name;

describe('accountPlace', () => {
  it("the default account's media live in the storage itself, named by their id", () => {
    const root = storage('root', true);
    for (const appId of [undefined, 'wxapp']) {
      const place = accountPlace(accounts, root, appId);
      expect(place.appId).toBe('wxapp');
      expect(place.storage).toBe(root);
      expect(place.name('m1')).toBe('m1');
      expect(place.flight('m1')).toBe('wxapp/m1');
    }
    expect(root.forAccount).not.toHaveBeenCalled();
  });

  it("another account's media live in the storage's space for that account", () => {
    const root = storage('root', true);
    const place = accountPlace(accounts, root, 'wxother');
    expect(place.appId).toBe('wxother');
    expect(nameOf(place)).toBe('root/account:wxother');
    expect(root.forAccount).toHaveBeenCalledWith('wxother');
    expect(place.name('m1')).toBe('m1');
    // flights of the same id in two accounts are two flights
    expect(place.flight('m1')).toBe('wxother/m1');
  });

  it('a storage that does not tell accounts apart keeps every account’s media itself', () => {
    const root = storage('root');
    expect(accountPlace(accounts, root, 'wxother').storage).toBe(root);
  });
});

describe('ownerPlace', () => {
  it("a user's own space: inside the account's place, named by the id and the user's key", () => {
    const root = storage('root', true);
    const key = ownerSpaceKey({ appId: 'wxother', openid: 'alice' });
    const place = ownerPlace(accountPlace(accounts, root, 'wxother'), { appId: 'wxother', openid: 'alice' });
    expect(place?.appId).toBe('wxother');
    expect(nameOf(place)).toBe(`root/account:wxother/owner:${key}`);
    expect(place?.name('m1')).toBe(`m1:${key}`);
    expect(place?.flight('m1')).toBe(`wxother/m1/${key}`);
  });

  it('none when the storage has no owner spaces', () => {
    const plain = storage('plain');
    expect(
      ownerPlace({ appId: 'wxapp', storage: plain, name: (id) => id, flight: (id) => id }, { appId: 'wxapp', openid: 'alice' }),
    ).toBeUndefined();
    const refusing = { ...plain, forOwner: () => undefined } as unknown as MediaStorage;
    expect(
      ownerPlace(
        { appId: 'wxapp', storage: refusing, name: (id) => id, flight: (id) => id },
        { appId: 'wxapp', openid: 'alice' },
      ),
    ).toBeUndefined();
  });
});

describe('ownerSpaceKey', () => {
  it('is 32 hex digits of a hash of account and openid: the same user always, another user or account another key', () => {
    const alice = ownerSpaceKey({ appId: 'wxapp', openid: 'alice' });
    // sha256("wxapp\nalice"), its first 32 hex digits
    expect(alice).toBe('072b49a4d4325d61bf8ce94723df048b');
    expect(ownerSpaceKey({ appId: 'wxapp', openid: 'alice' })).toBe(alice);
    expect(ownerSpaceKey({ appId: 'wxapp', openid: 'bob' })).toBe('e4b91c79d1b2f694b1345c5a9e8af7f7');
    expect(ownerSpaceKey({ appId: 'wxother', openid: 'alice' })).not.toBe(alice);
  });
});
