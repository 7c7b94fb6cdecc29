import type { Platform, RunningApp } from '../support/app.js';
import { type SandboxServer } from '../../src/sandbox/index.js';
import type { CookieClient } from '../support/browser-client.js';
import { type MediaStorageKind, type MediaWorld, loggedInClient, readMedia, startMediaWorld } from '../support/media-client.js';

const ACCOUNT = { appId: 'wx5353abab6464cdcd', appSecret: 'media-faults-secret-0123456' };
const MiB = 1024 * 1024;
const MEDIA_GET = 'cgi-bin/media/get';
const STABLE_TOKEN = 'cgi-bin/stable_token';

describe.each<[MediaStorageKind, Platform]>([
  ['disk', 'fastify'],
  ['s3', 'express'],
])('media downloads when WeChat misbehaves (%s storage, on %s)', (storage, platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  let client: CookieClient;
  let world: MediaWorld;

  beforeAll(async () => {
    world = await startMediaWorld('media-faults', ACCOUNT, { storage, platform });
    ({ sandbox } = world);
    [svc] = world.apps;
    client = await loggedInClient(svc.url, sandbox.sandbox);
  });
  afterAll(() => world?.close());

  beforeEach(() => {
    sandbox.sandbox.clearFaults();
    sandbox.sandbox.resetCalls();
  });

  const register = (size: number) => sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size });
  const save = (mediaId: string) => client.post(`/wechat/media/${mediaId}`);
  const filesOf = async (mediaId: string) => (await world.stored()).filter((name) => name.includes(mediaId));

  async function expectSavedIntact(mediaId: string, size: number): Promise<void> {
    const read = await readMedia(svc.url, client, mediaId);
    expect([read.status, read.length, read.sha256]).toEqual([200, size, sandbox.sandbox.mediaSha256(mediaId)]);
    expect(await filesOf(mediaId)).toEqual([`${mediaId}.json`, `${mediaId}.media`]);
  }

  it('40001 in a text/plain body: the token is replaced once and the download retried', async () => {
    const mediaId = register(1 * MiB);
    await save(register(10)); // a token is cached before the fault
    const tokenBefore = sandbox.sandbox.currentStableToken(ACCOUNT.appId);
    sandbox.sandbox.resetCalls();
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'errcode', errcode: 40001 });

    const r = await save(mediaId);
    expect(r.status).toBe(201);
    expect(r.json.sha256).toBe(sandbox.sandbox.mediaSha256(mediaId));
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(2);
    // stable mode: a normal-mode call hands back the same token, then one force refresh replaces it
    expect(sandbox.sandbox.calls(STABLE_TOKEN)).toBe(2);
    expect(sandbox.sandbox.currentStableToken(ACCOUNT.appId)).not.toBe(tokenBefore);
    await expectSavedIntact(mediaId, 1 * MiB);
  });

  it('a download cut mid-way is downloaded again once, and what is kept is whole', async () => {
    const mediaId = register(2 * MiB);
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'cut', afterBytes: 700_000 });
    const r = await save(mediaId);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ size: 2 * MiB, sha256: sandbox.sandbox.mediaSha256(mediaId) });
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(2);
    await expectSavedIntact(mediaId, 2 * MiB);
    expect(await world.leftovers()).toEqual([]);
  });

  it('cut on both attempts: 503 WECHAT_UNAVAILABLE, no file and no temp file left', async () => {
    const mediaId = register(2 * MiB);
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'cut', afterBytes: 500_000 }, 2);
    const r = await save(mediaId);
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ statusCode: 503, code: 'WECHAT_UNAVAILABLE' });
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(2);
    expect(await filesOf(mediaId)).toEqual([]);
    expect(await world.leftovers()).toEqual([]);
    // nothing half-saved blocks the next attempt
    expect((await save(mediaId)).status).toBe(201);
  });

  it('errcode -1, HTTP 500 and an HTML error page are retried like any call', async () => {
    const mediaId = register(100_000);
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'errcode', errcode: -1 });
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'garbage' });
    const r = await save(mediaId);
    expect(r.status).toBe(201);
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(3);
    await expectSavedIntact(mediaId, 100_000);

    const failing = register(100);
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'http', status: 500 }, 3);
    expect((await save(failing)).json).toMatchObject({ statusCode: 503, code: 'WECHAT_UNAVAILABLE' });
    expect(await filesOf(failing)).toEqual([]);
  });

  it('a quota error (45009) is 502 WECHAT_API_ERROR with the errcode, not retried', async () => {
    const mediaId = register(100);
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'errcode', errcode: 45009 });
    const r = await save(mediaId);
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ code: 'WECHAT_API_ERROR', errcode: 45009 });
    expect(sandbox.sandbox.calls(MEDIA_GET)).toBe(1);
    expect(await filesOf(mediaId)).toEqual([]);
  });

  it('no answer carries the access_token or the AppSecret', async () => {
    const mediaId = register(100);
    sandbox.sandbox.injectFault(MEDIA_GET, { kind: 'cut', afterBytes: 10 }, 2);
    const texts = [(await save(mediaId)).text, (await save('NoSuchMedia')).text, (await save(register(100))).text];
    for (const secret of sandbox.sandbox.issuedSecrets()) {
      for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
  });
});

describe('an unexpected failure (the media directory is not a directory)', () => {
  let world: MediaWorld;
  let notADirectory: string;
  beforeAll(async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    notADirectory = join(await mkdtemp(join(tmpdir(), 'media-not-a-dir-')), 'file');
    await writeFile(notADirectory, 'a file where the media directory should be');
    world = await startMediaWorld('media-broken-dir', ACCOUNT, { env: { MEDIA_DIR: notADirectory } });
  });
  afterAll(() => world?.close());

  it('answers 500 INTERNAL_ERROR in the JSON shape, with no stack and no path', async () => {
    const {
      sandbox,
      apps: [svc],
    } = world;
    const client = await loggedInClient(svc.url, sandbox.sandbox);
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 100 });
    const r = await client.post(`/wechat/media/${mediaId}`);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
    expect(r.text).not.toMatch(/\bat |\.ts:|\.js:|ENOTDIR|media-not-a-dir/);
  });
});
