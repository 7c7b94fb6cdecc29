import { PLATFORMS } from '../support/app.js';
import { join } from 'node:path';
import { ownerSpaceKey } from '../../src/core/media/media-place.js';
import {
  cookieHeader,
  listDir,
  loggedInClient,
  type MediaStorageKind,
  readMedia,
  startMediaWorld,
  type MediaWorld,
} from '../support/media-client.js';

const ACCOUNT = { appId: 'wx6e6e7f7f8a8a9b9b', appSecret: 'media-owner-e2e-secret-0123' };
const MEDIA_GET = 'cgi-bin/media/get';
const HD_MEDIA_GET = 'cgi-bin/media/get/jssdk';

/** The names kept in one user's own space of the world's storage (their copies, and `.mp3` for renditions). */
async function ownSpace(world: MediaWorld, user: string): Promise<string[]> {
  const key = ownerSpaceKey({ appId: ACCOUNT.appId, openid: world.sandbox.sandbox.openidOf(ACCOUNT.appId, user) });
  if (world.storage === 'disk') return listDir(join(world.mediaDir, '.owners', key));
  const prefix = `media/.owners/${key}/`;
  const keys = (await world.s3!.keys()).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  return [...new Set(keys.map((k) => k.split('/')[0]))].sort();
}

describe.each<MediaStorageKind>(['disk', 's3'])('two users who save the same serverId (%s storage)', (storage) => {
  let world: MediaWorld;
  beforeAll(async () => {
    world = await startMediaWorld(`media-owners-${storage}`, ACCOUNT, { storage, env: { MEDIA_MAX_PER_USER: '2' } });
  });
  afterAll(() => world?.close());

  it('each get their own record and read back their own bytes; a user who never saved it still gets 404', async () => {
    const {
      sandbox: { sandbox },
      apps: [svc],
    } = world;
    const mediaId = sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 2048 });
    const alice = await loggedInClient(svc.url, sandbox, 'alice');
    const bob = await loggedInClient(svc.url, sandbox, 'html');
    const carol = await loggedInClient(svc.url, sandbox, 'ctrl');

    expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);
    // WeChat cannot say who uploaded it: bob's save (of the HD voice) is a download of his own
    const bobSaves = await bob.post(`/wechat/media/${mediaId}?hd=1`);
    expect(bobSaves).toMatchObject({ status: 201, json: { mediaId, contentType: 'voice/speex' } });
    expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(200);
    expect((await bob.post(`/wechat/media/${mediaId}`)).json).toEqual(bobSaves.json);
    expect([sandbox.calls(MEDIA_GET), sandbox.calls(HD_MEDIA_GET)]).toEqual([1, 1]);

    const [aliceReads, bobReads] = [await readMedia(svc.url, alice, mediaId), await readMedia(svc.url, bob, mediaId)];
    expect([aliceReads.status, aliceReads.sha256]).toEqual([200, sandbox.mediaSha256(mediaId)]);
    expect([bobReads.status, bobReads.sha256]).toEqual([200, sandbox.mediaSha256(mediaId, { hd: true })]);
    expect(await ownSpace(world, 'html')).toEqual([`${mediaId}.json`, `${mediaId}.media`]);
    expect(await ownSpace(world, 'alice')).toEqual([]);

    const carolReads = await fetch(`${svc.url}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(carol) } });
    expect([carolReads.status, ((await carolReads.json()) as { code: string }).code]).toEqual([404, 'MEDIA_NOT_FOUND']);
    const carolsMp3 = await carol.get(`/wechat/media/${mediaId}?format=mp3`, 'application/json');
    expect([carolsMp3.status, carolsMp3.json.code]).toEqual([404, 'MEDIA_NOT_FOUND']);
  });

  it("the second user's copy has its mp3 beside it and counts in their quota", async () => {
    const {
      sandbox: { sandbox },
      apps: [svc],
    } = world;
    const mediaId = sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 3206 });
    const alice = await loggedInClient(svc.url, sandbox, 'alice');
    const bob = await loggedInClient(svc.url, sandbox, 'html');
    expect((await alice.post(`/wechat/media/${mediaId}`)).status).toBe(201);
    expect((await bob.post(`/wechat/media/${mediaId}`)).status).toBe(201);

    const mp3 = await fetch(`${svc.url}/wechat/media/${mediaId}?format=mp3`, { headers: { cookie: cookieHeader(bob) } });
    expect([mp3.status, mp3.headers.get('content-type')]).toEqual([200, 'audio/mpeg']);
    expect((await mp3.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect(await ownSpace(world, 'html')).toContain('.mp3');
    expect((await world.renditions()).filter((name) => name.includes(mediaId))).toEqual([]);

    // bob has saved two media (his copies): the quota of 2 is spent
    const over = await bob.post(`/wechat/media/${sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 100 })}`);
    expect(over).toMatchObject({ status: 429, json: { code: 'MEDIA_QUOTA_EXCEEDED' } });
  });
});

describe.each(PLATFORMS)('who may save and read, on %s', (platform) => {
  let owned: MediaWorld;
  let shared: MediaWorld;
  beforeAll(async () => {
    owned = await startMediaWorld('media-owner', ACCOUNT, { platform });
    shared = await startMediaWorld('media-shared', ACCOUNT, { env: { MEDIA_ACCESS: 'shared' }, platform });
  });
  afterAll(async () => {
    await owned?.close();
    await shared?.close();
  });

  it("answers 404 to another user reading the owner's media id, the same as for an id nobody saved", async () => {
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
    // ids cannot be probed
    const unknown = await fetch(`${svc.url}/wechat/media/neverSavedAnywhere0123`, { headers: { cookie: cookieHeader(bob) } });
    expect(unknown.status).toBe(404);
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
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
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(0);
  });

  it('with MEDIA_ACCESS=shared, any logged-in user reads it, and a second save is no new download', async () => {
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
    expect((await bob.post(`/wechat/media/${mediaId}`)).status).toBe(200);
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
  });
});
