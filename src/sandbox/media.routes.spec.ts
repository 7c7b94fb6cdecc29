import { HD_VOICE_SAMPLE } from './hd-voice-sample.js';
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { get } from 'node:http';
import { Sandbox } from './sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { sandboxPlugin } from './sandbox.plugin.js';
import { startSandbox, type SandboxServer } from './start-sandbox.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const MiB = 1024 * 1024;
const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

describe('sandbox media download routes', () => {
  const clock = { t: Date.UTC(2024, 5, 1, 12, 0, 0) };
  let server: SandboxServer;
  let token: string;

  const mediaUrl = (query: Record<string, string>, hd = false) =>
    `${server.url}/cgi-bin/media/get${hd ? '/jssdk' : ''}?${new URLSearchParams(query)}`;
  const download = (mediaId: string, hd = false) => fetch(mediaUrl({ access_token: token, media_id: mediaId }, hd));
  const register = (type: 'image' | 'voice' | 'video' | 'thumb', size: number) =>
    server.sandbox.registerMedia(appId, { type, size });

  async function sha256Of(res: Response): Promise<{ length: number; sha256: string }> {
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      length += chunk.length;
    }
    return { length, sha256: hash.digest('hex') };
  }

  /** Media errors: HTTP 200, JSON body, but labelled text/plain like WeChat does. */
  async function expectMediaError(res: Response, errcode: number, errmsg: string) {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-disposition')).toBeNull();
    const body = JSON.parse(await res.text()) as { errcode: number; errmsg: string };
    expect(body.errcode).toBe(errcode);
    expect(body.errmsg.startsWith(errmsg)).toBe(true);
    expect(body.errmsg).toMatch(RID);
  }

  async function newToken(): Promise<string> {
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret });
    const res = await fetch(`${server.url}/cgi-bin/token?${query}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  beforeAll(async () => {
    server = await startSandbox({ now: () => clock.t });
    token = await newToken();
  });
  afterAll(() => server.close());
  beforeEach(() => server.sandbox.resetCalls());

  it('streams an image with its length, checksum and WeChat headers', async () => {
    const id = register('image', 3 * MiB + 11);
    const res = await download(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-length')).toBe(String(3 * MiB + 11));
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${id}.jpg"`);
    expect(res.headers.get('cache-control')).toBe('no-cache, must-revalidate');
    expect(res.headers.get('x-wechat-sandbox')).toBe('simulator');
    expect(await sha256Of(res)).toEqual({ length: 3 * MiB + 11, sha256: server.sandbox.mediaSha256(id) });
    expect(server.sandbox.calls('cgi-bin/media/get')).toBe(1);
  });

  it('spells the header names as WeChat documents them (Content-disposition)', async () => {
    const id = register('voice', 10);
    const rawHeaders = await new Promise<string[]>((resolve, reject) => {
      get(mediaUrl({ access_token: token, media_id: id }), (res) => {
        res.resume();
        res.on('end', () => resolve(res.rawHeaders));
      }).on('error', reject);
    });
    expect(rawHeaders).toEqual(expect.arrayContaining(['Content-Type', 'audio/amr', 'Content-disposition']));
  });

  it('serves voice as amr on media/get and as speex on media/get/jssdk', async () => {
    const id = register('voice', 4321);
    const amr = await download(id);
    expect(amr.headers.get('content-type')).toBe('audio/amr');
    expect(amr.headers.get('content-disposition')).toBe(`attachment; filename="${id}.amr"`);
    await amr.arrayBuffer();
    const hd = await download(id, true);
    expect(hd.status).toBe(200);
    expect(hd.headers.get('content-type')).toBe('voice/speex');
    expect(hd.headers.get('content-disposition')).toBe(`attachment; filename="${id}.speex"`);
    // the HD voice is the 4-second Ogg Speex sample, whatever size the voice was registered with
    expect(await sha256Of(hd)).toEqual({ length: HD_VOICE_SAMPLE.length, sha256: server.sandbox.mediaSha256(id, { hd: true }) });
    expect(server.sandbox.mediaSha256(id, { hd: true })).not.toBe(server.sandbox.mediaSha256(id));
    expect(server.sandbox.calls()).toMatchObject({ 'cgi-bin/media/get': 1, 'cgi-bin/media/get/jssdk': 1 });
  });

  it('answers 40007 on media/get/jssdk for anything but voice', async () => {
    await expectMediaError(await download(register('image', 10), true), 40007, 'invalid media_id');
  });

  it('answers 40007 as text/plain for unknown and expired media (42001 for an expired token)', async () => {
    await expectMediaError(await download('no-such-media'), 40007, 'invalid media_id');
    const id = register('image', 10);
    clock.t += 3 * 24 * 3600 * 1000 - 1000;
    await expectMediaError(await download(id), 42001, 'access_token expired');
    token = await newToken();
    expect((await download(id)).headers.get('content-type')).toBe('image/jpeg');
    clock.t += 1000;
    await expectMediaError(await download(id), 40007, 'invalid media_id');
  });

  it('answers 41006 without media_id and token errors as text/plain', async () => {
    await expectMediaError(await fetch(mediaUrl({ access_token: token })), 41006, 'media_id missing');
    const id = register('image', 10);
    await expectMediaError(await fetch(mediaUrl({ media_id: id })), 41001, 'access_token missing');
    const bogus = await fetch(mediaUrl({ access_token: 'bogus', media_id: id }, true));
    await expectMediaError(bogus, 40001, 'invalid credential');
  });

  it('answers a video with a JSON video_url that serves the bytes', async () => {
    const id = register('video', 70_000);
    const res = await download(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { video_url: string };
    expect(Object.keys(body)).toEqual(['video_url']);
    expect(body.video_url).toBe(`${server.url}/__sandbox/media-video/${id}.mp4`);
    const file = await fetch(body.video_url);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(await sha256Of(file)).toEqual({ length: 70_000, sha256: server.sandbox.mediaSha256(id) });
    expect((await fetch(`${server.url}/__sandbox/media-video/unknown.mp4`)).status).toBe(404);
    // downloading the video file is not a WeChat API call
    expect(server.sandbox.calls()).toEqual({ 'cgi-bin/media/get': 1 });
  });
});

describe('sandbox media quota', () => {
  it('answers 45009 as text/plain past mediaDailyQuota', async () => {
    const server = await startSandbox({ mediaDailyQuota: 1 });
    try {
      const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret });
      const { access_token } = (await (await fetch(`${server.url}/cgi-bin/token?${query}`)).json()) as {
        access_token: string;
      };
      const id = server.sandbox.registerMedia(appId, { type: 'thumb', size: 10 });
      const url = `${server.url}/cgi-bin/media/get?access_token=${access_token}&media_id=${id}`;
      expect((await fetch(url)).headers.get('content-type')).toBe('image/jpeg');
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toBe('text/plain');
      expect(JSON.parse(await res.text())).toMatchObject({ errcode: 45009 });
    } finally {
      await server.close();
    }
  });
});

describe('sandbox media routes mounted under a prefix', () => {
  it('points video_url under the prefix and ignores a Host header that is not a host', async () => {
    const host = Fastify();
    const sandbox = new Sandbox();
    await host.register(sandboxPlugin, { prefix: '/sandbox', sandbox });
    try {
      const tokenRes = await host.inject({
        url: '/sandbox/cgi-bin/token',
        query: { grant_type: 'client_credential', appid: appId, secret: appSecret },
      });
      const { access_token } = tokenRes.json<{ access_token: string }>();
      const id = sandbox.registerMedia(appId, { type: 'video', size: 10 });
      const query = { access_token, media_id: id };
      const url = '/sandbox/cgi-bin/media/get';
      const res = await host.inject({ url, query, headers: { host: 'h5.example.com:8080' } });
      expect(res.json()).toEqual({ video_url: `http://h5.example.com:8080/sandbox/__sandbox/media-video/${id}.mp4` });
      const odd = await host.inject({ url, query, headers: { host: 'a"b/c' } });
      expect(odd.json<{ video_url: string }>().video_url).toMatch(/^http:\/\/127\.0\.0\.1\/sandbox\//);
      const file = await host.inject({ url: `/sandbox/__sandbox/media-video/${id}.mp4` });
      expect(file.rawPayload.length).toBe(10);
    } finally {
      await host.close();
    }
  });
});
