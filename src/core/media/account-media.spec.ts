import { jest } from '@jest/globals';
import { AccountMedia } from './account-media.js';
import type { MediaService } from './media.service.js';

const ALICE = { appId: 'wxother', openid: 'alice' };

/** The shared library as a fake: each call answers a value naming it, and is recorded. */
function library() {
  return {
    save: jest.fn(async () => 'saved'),
    find: jest.fn(async () => 'found'),
    open: jest.fn(async () => 'opened'),
    rendition: jest.fn(async () => 'rendered'),
  };
}

describe("AccountMedia (one account's media)", () => {
  it("passes every call to the shared library with the account's appId, and answers what it answers", async () => {
    const lib = library();
    const media = new AccountMedia(lib as unknown as MediaService, 'wxother');
    expect(media.appId).toBe('wxother');
    expect(await media.save('m1')).toBe('saved');
    expect(await media.save('m2', { hd: true, owner: ALICE })).toBe('saved');
    expect(await media.find('m1', ALICE)).toBe('found');
    expect(await media.open('m1', ALICE, { format: 'mp3' })).toBe('opened');
    expect(await media.open('m1')).toBe('opened');
    expect(await media.rendition('m1', 'mp3', ALICE)).toBe('rendered');
    expect(lib.save.mock.calls).toEqual([
      ['m1', { appId: 'wxother' }],
      ['m2', { hd: true, owner: ALICE, appId: 'wxother' }],
    ]);
    expect(lib.find.mock.calls).toEqual([['m1', ALICE, 'wxother']]);
    expect(lib.open.mock.calls).toEqual([
      ['m1', ALICE, 'wxother', { format: 'mp3' }],
      ['m1', undefined, 'wxother', {}],
    ]);
    expect(lib.rendition.mock.calls).toEqual([['m1', 'mp3', ALICE, 'wxother']]);
  });

  it('an appId in the options cannot move a save to another account', async () => {
    const lib = library();
    const media = new AccountMedia(lib as unknown as MediaService, 'wxother');
    await media.save('m1', { appId: 'wxapp' } as never);
    expect(lib.save.mock.calls).toEqual([['m1', { appId: 'wxother' }]]);
  });
});
