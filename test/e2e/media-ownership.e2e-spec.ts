import { cookieHeader, loggedInClient, readMedia, startMediaWorld, type MediaWorld } from '../support/media-client.js';

const ACCOUNT = { appId: 'wx6e6e7f7f8a8a9b9b', appSecret: 'media-owner-e2e-secret-0123' };

describe('a saved media belongs to the user who saved it', () => {
  let owned: MediaWorld;
  let shared: MediaWorld;
  beforeAll(async () => {
    owned = await startMediaWorld('media-owner', ACCOUNT);
    shared = await startMediaWorld('media-shared', ACCOUNT, { env: { MEDIA_ACCESS: 'shared' } });
  });
  afterAll(async () => {
    await owned?.close();
    await shared?.close();
  });

  it("answers 404 to another user for the owner's media id, on read and on save", async () => {
    const {
      sandbox,
      apps: [svc],
    } = owned;
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 2048 });
    const alice = await loggedInClient(svc.url, sandbox.sandbox, 'alice');
    const bob = await loggedInClient(svc.url, sandbox.sandbox, 'html');
    expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);

    expect((await readMedia(svc.url, alice, mediaId)).status).toBe(200);
    const bobReads = await fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(bob) } });
    expect(bobReads.status).toBe(404);
    expect(await bobReads.json()).toMatchObject({ code: 'MEDIA_NOT_FOUND' });
    const bobSaves = await bob.post(`/wechat/media/${mediaId}`);
    expect(bobSaves).toMatchObject({ status: 404, json: { code: 'MEDIA_NOT_FOUND' } });
    // the same answer as for an id nobody saved: ids cannot be probed
    const unknown = await fetch(`${svc.url}/wechat/media/neverSavedAnywhere0123`, { headers: { cookie: cookieHeader(bob) } });
    expect(unknown.status).toBe(404);
    expect(sandbox.sandbox.calls('cgi-bin/media/get')).toBe(1);
  });

  it('refuses to save for a snapshot-page user (its ids are virtual)', async () => {
    const {
      sandbox,
      apps: [svc],
    } = owned;
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 1024 });
    sandbox.sandbox.resetCalls();
    const snapshot = await loggedInClient(svc.url, sandbox.sandbox, 'snapshot');
    const r = await snapshot.post(`/wechat/media/${mediaId}`);
    expect(r).toMatchObject({ status: 403, json: { statusCode: 403, code: 'SNAPSHOT_USER' } });
    expect(sandbox.sandbox.calls('cgi-bin/media/get')).toBe(0);
  });

  it('with MEDIA_ACCESS=shared, any logged-in user reads it', async () => {
    const {
      sandbox,
      apps: [svc],
    } = shared;
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 2048 });
    const alice = await loggedInClient(svc.url, sandbox.sandbox, 'alice');
    const bob = await loggedInClient(svc.url, sandbox.sandbox, 'html');
    expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);
    const read = await readMedia(svc.url, bob, mediaId);
    expect(read.status).toBe(200);
    expect(read.sha256).toBe(sandbox.sandbox.mediaSha256(mediaId));
  });
});
