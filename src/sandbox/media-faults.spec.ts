import { createHash } from 'node:crypto';
import { mediaSha256 } from './media-content.js';
import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { startSandbox, type SandboxServer } from './start-sandbox.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const OTHER = { appId: 'wx00000000000000bb', appSecret: 'other-secret' };

describe('sandbox media faults and control API', () => {
  let server: SandboxServer;
  let token: string;

  const download = (mediaId: string, hd = false) =>
    fetch(`${server.url}/cgi-bin/media/get${hd ? '/jssdk' : ''}?access_token=${token}&media_id=${mediaId}`);
  const control = (path: string, body: unknown) =>
    fetch(`${server.url}/__sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Reads the body until it ends or breaks; what arrived and how it ended. */
  async function readAll(res: Response) {
    const hash = createHash('sha256');
    let received = 0;
    let error: unknown;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        received += chunk.length;
      }
    } catch (err) {
      error = err;
    }
    return { received, sha256: hash.digest('hex'), error };
  }

  beforeAll(async () => {
    server = await startSandbox({ accounts: [SANDBOX_DEFAULT_ACCOUNT, OTHER] });
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret });
    const res = await fetch(`${server.url}/cgi-bin/token?${query}`);
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.sandbox.clearFaults();
    server.sandbox.resetCalls();
  });

  it('cut: full headers, then the body breaks after afterBytes', async () => {
    const size = 2 * 1024 * 1024;
    const id = server.sandbox.registerMedia(appId, { type: 'image', size });
    server.sandbox.injectFault('cgi-bin/media/get', { kind: 'cut', afterBytes: 300_000 });
    const res = await download(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(size));
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-wechat-sandbox')).toBe('simulator');
    const cut = await readAll(res);
    expect(cut.error).toBeDefined();
    // what arrived is exactly the start of the file
    expect(cut.received).toBe(300_000);
    expect(cut.sha256).toBe(mediaSha256(id, 300_000));
    expect(server.sandbox.calls('cgi-bin/media/get')).toBe(1);

    const retry = await readAll(await download(id));
    expect(retry).toMatchObject({ received: size, sha256: server.sandbox.mediaSha256(id), error: undefined });
  });

  it('cut after 0 bytes, injected over the control API on media/get/jssdk', async () => {
    const id = server.sandbox.registerMedia(appId, { type: 'voice', size: 5000 });
    const fault = { kind: 'cut', afterBytes: 0 };
    const injected = await control('/faults', { endpoint: 'cgi-bin/media/get/jssdk', fault });
    expect(injected.status).toBe(200);
    const res = await download(id, true);
    expect(res.headers.get('content-type')).toBe('voice/speex');
    expect(await readAll(res)).toMatchObject({ received: 0, error: expect.anything() });
  });

  it('cut leaves error answers whole and acts as drop on other endpoints', async () => {
    server.sandbox.injectFault('cgi-bin/media/get', { kind: 'cut', afterBytes: 3 });
    const res = await download('unknown');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(JSON.parse(await res.text())).toMatchObject({ errcode: 40007 });

    server.sandbox.injectFault('cgi-bin/ticket/getticket', { kind: 'cut', afterBytes: 3 });
    await expect(fetch(`${server.url}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`)).rejects.toThrow();
  });

  it('injected 40001 (and a slow errcode) come as text/plain like real media errors', async () => {
    const id = server.sandbox.registerMedia(appId, { type: 'image', size: 100 });
    server.sandbox.injectFault('cgi-bin/media/get', { kind: 'errcode', errcode: 40001 });
    server.sandbox.injectFault('cgi-bin/media/get/jssdk', { kind: 'slow', delayMs: 20, errcode: -1 });
    const invalid = await download(id);
    expect(invalid.status).toBe(200);
    expect(invalid.headers.get('content-type')).toBe('text/plain');
    expect(JSON.parse(await invalid.text())).toMatchObject({
      errcode: 40001,
      errmsg: expect.stringMatching(/^invalid credential/),
    });
    const busy = await download(id, true);
    expect(busy.headers.get('content-type')).toBe('text/plain');
    expect(JSON.parse(await busy.text())).toMatchObject({ errcode: -1 });
    // the fault did not touch state: the same token downloads again
    expect((await readAll(await download(id))).received).toBe(100);
  });

  it('http and garbage faults keep their HTML shape on media endpoints', async () => {
    server.sandbox.injectFault('cgi-bin/media/get', { kind: 'http', status: 502 });
    server.sandbox.injectFault('cgi-bin/media/get', { kind: 'garbage' });
    const proxy = await download('x');
    expect(proxy.status).toBe(502);
    expect(proxy.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await download('x')).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('POST /__sandbox/media registers media for the first account by default', async () => {
    const res = await control('/media', { type: 'voice', size: 1234, filename: 'note.amr' });
    expect(res.status).toBe(200);
    const { mediaId } = (await res.json()) as { mediaId: string };
    expect(mediaId).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const file = await download(mediaId);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="note.amr"');
    expect(await readAll(file)).toMatchObject({ received: 1234, sha256: server.sandbox.mediaSha256(mediaId) });

    const foreign = await control('/media', { appId: OTHER.appId, type: 'image', size: 10, mediaId: 'foreign_1' });
    expect(await foreign.json()).toEqual({ mediaId: 'foreign_1' });
    // registered for the other app: this app's token does not see it
    expect(JSON.parse(await (await download('foreign_1')).text())).toMatchObject({ errcode: 40007 });
  });

  it('POST /__sandbox/media rejects bad input with 400 JSON', async () => {
    const bad = [
      'not json',
      { type: 'gif', size: 10 },
      { type: 'image' },
      { type: 'image', size: 0 },
      { type: 'image', size: 201 * 1024 * 1024 },
      { type: 'image', size: '10' },
      { type: 'image', size: 10, appId: 'wxnope' },
      { type: 'image', size: 10, mediaId: '../etc' },
      { type: 'image', size: 10, filename: 'a"b' },
    ];
    for (const body of bad) {
      const res = await control('/media', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toHaveProperty('error');
    }
  });

  it('rejects invalid cut faults over the control API', async () => {
    for (const afterBytes of [-1, 1.5, '10', undefined]) {
      const res = await control('/faults', { endpoint: 'cgi-bin/media/get', fault: { kind: 'cut', afterBytes } });
      expect(res.status).toBe(400);
    }
    expect(server.sandbox.faults.pending()).toBe(0);
  });
});
