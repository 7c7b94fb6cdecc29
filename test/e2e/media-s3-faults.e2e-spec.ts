import { eventually } from '../support/eventually.js';
import { loggedInClient, readMedia, startMediaWorld, type MediaWorld } from '../support/media-client.js';
import { startS3, type S3Server } from '../support/s3-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ACCOUNT = { appId: 'wx9191cdcd0202efef', appSecret: 's3-faults-e2e-secret-0123456789' };
const MiB = 1024 * 1024;

// The object store fails while a save streams into it: a real s3rver behind a TCP proxy the test cuts.
describe('S3 storage when the store breaks mid-upload', () => {
  let s3: S3Server;
  let proxy: TcpProxy;
  let world: MediaWorld;

  beforeAll(async () => {
    s3 = await startS3('cut-uploads');
    proxy = await new TcpProxy(Number(new URL(s3.endpoint).port)).start();
    world = await startMediaWorld('media-s3-faults', ACCOUNT, {
      env: {
        ...s3.env,
        S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
        MEDIA_MAX_BYTES: String(32 * MiB),
        S3_REQUEST_TIMEOUT_MS: '1500',
      },
    });
  });
  afterAll(async () => {
    await world?.close();
    await proxy?.cut();
    await s3?.close();
  });

  it('a multipart upload cut half-way: 503 MEDIA_STORAGE_UNAVAILABLE, no record committed, and a later save is whole', async () => {
    const client = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    const size = 12 * MiB;
    const mediaId = world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size });
    const saving = client.post(`/wechat/media/${mediaId}`);
    const before = proxy.bytesToServer;
    expect(await eventually(async () => proxy.bytesToServer - before > 6 * MiB, 20_000, 5)).toBe(true);
    await proxy.cut();
    const failed = await saving;
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ statusCode: 503, code: 'MEDIA_STORAGE_UNAVAILABLE' });
    expect(failed.text).not.toContain('S3RVER');

    await proxy.restore();
    const keys = await s3.keys();
    expect(keys.filter((key) => key.endsWith(`${mediaId}.json`))).toEqual([]);
    expect((await client.get(`/wechat/media/${mediaId}`, 'application/json')).json.code).toBe('MEDIA_NOT_FOUND');

    const again = await client.post(`/wechat/media/${mediaId}`);
    expect(again.status).toBe(201);
    const read = await readMedia(world.apps[0].url, client, mediaId);
    expect([read.status, read.length, read.sha256]).toEqual([200, size, world.sandbox.sandbox.mediaSha256(mediaId)]);
  });

  it('a store that does not answer at all: a bounded 503, not a hang', async () => {
    const client = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    const mediaId = world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 1000 });
    await proxy.cut();
    try {
      const started = Date.now();
      const r = await client.post(`/wechat/media/${mediaId}`);
      expect([r.status, r.json.code]).toEqual([503, 'MEDIA_STORAGE_UNAVAILABLE']);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await proxy.restore();
    }
  });

  it('a store that stalls (connections open, no byte answered): 503 MEDIA_STORAGE_UNAVAILABLE in bounded time', async () => {
    const client = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    const mediaId = world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'voice', size: 3206 });
    expect((await client.post(`/wechat/media/${mediaId}`)).status).toBe(201);
    proxy.stall();
    try {
      for (const path of [`/wechat/media/${mediaId}`, `/wechat/media/${mediaId}?format=mp3`]) {
        const started = Date.now();
        const r = await client.get(path, 'application/json');
        expect([r.status, r.json]).toEqual([
          503,
          { statusCode: 503, code: 'MEDIA_STORAGE_UNAVAILABLE', message: expect.any(String) },
        ]);
        // two tries of S3_REQUEST_TIMEOUT_MS of silence each, not the socket's minute
        expect(Date.now() - started).toBeLessThan(8000);
      }
    } finally {
      proxy.resume();
    }
    expect((await readMedia(world.apps[0].url, client, mediaId)).status).toBe(200);
  });
});

describe('S3 storage with a bucket that does not exist', () => {
  let s3: S3Server;
  let world: MediaWorld;

  beforeAll(async () => {
    s3 = await startS3('the-real-bucket');
    world = await startMediaWorld('media-s3-no-bucket', ACCOUNT, { env: { ...s3.env, S3_BUCKET: 'a-missing-bucket' } });
  });
  afterAll(async () => {
    await world?.close();
    await s3?.close();
  });

  it('a read answers 503 MEDIA_STORAGE_UNAVAILABLE (a misconfiguration), not 404', async () => {
    const client = await loggedInClient(world.apps[0].url, world.sandbox.sandbox);
    for (const path of ['/wechat/media/neverSavedAnywhere0123', '/wechat/media/neverSavedAnywhere0123?format=mp3']) {
      const r = await client.get(path, 'application/json');
      expect([r.status, r.json?.code]).toEqual([503, 'MEDIA_STORAGE_UNAVAILABLE']);
    }
  });
});
