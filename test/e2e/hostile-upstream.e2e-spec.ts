import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson, type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { deleteKeys, listKeys, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx0f0f1e1e2d2d3c3c', appSecret: 'hostile-upstream-secret-0123' };
const THIRTY_MB = 30 * 1024 * 1024;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A plain HTTP server whose answers the test sets; it counts the requests it got. */
async function fakeServer(): Promise<{ url: string; server: Server; hits: () => number; answer: (h: Handler) => void }> {
  let handler: Handler = (_req, res) => res.end('{}');
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    req.resume();
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    hits: () => hits,
    answer: (h) => {
      handler = h;
    },
  };
}

const json = (res: ServerResponse, body: string) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
};

describe.each(PLATFORMS)('a hostile upstream in WeChat’s place: nothing it sends is trusted, on %s', (platform) => {
  let upstream: Awaited<ReturnType<typeof fakeServer>>;
  let elsewhere: Awaited<ReturnType<typeof fakeServer>>;
  let svc: RunningApp;
  const prefix = uniquePrefix('hostile');
  const sign = () => postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' });
  const cachedKeys = async () => (await listKeys(prefix)).filter((k) => !k.endsWith(':lock'));

  beforeAll(async () => {
    upstream = await fakeServer();
    elsewhere = await fakeServer();
    elsewhere.answer((_req, res) => json(res, JSON.stringify({ access_token: 'S'.repeat(100), expires_in: 7200 })));
  });
  // a fresh instance per case: none inherits another's failure cooldown
  beforeEach(async () => {
    svc = await startApp(
      serviceEnv(upstream.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix, WECHAT_HTTP_TIMEOUT_MS: '3000' }),
      platform,
    );
  });
  afterEach(() => svc.close());
  afterAll(async () => {
    upstream?.server.close();
    elsewhere?.server.close();
    await deleteKeys(prefix);
  });

  it('does not follow a redirect of the token call, and caches nothing', async () => {
    upstream.answer((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/cgi-bin/stable_token` });
      res.end();
    });
    const r = await sign();
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ statusCode: 503, code: 'WECHAT_UNAVAILABLE' });
    expect(r.json.message).toContain('redirect');
    expect(elsewhere.hits()).toBe(0);
    expect(await cachedKeys()).toEqual([]);
  });

  it('refuses a 30 MB answer without holding it, and caches nothing', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    upstream.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":"');
      let sent = 0;
      const more = () => {
        while (sent < THIRTY_MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('","expires_in":7200}');
      };
      res.on('error', () => undefined);
      more();
    });
    const rssBefore = process.memoryUsage().rss;
    const r = await sign();
    const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    expect(r.status).toBe(503);
    expect(r.json.code).toBe('WECHAT_UNAVAILABLE');
    expect(r.json.message).toContain('larger than');
    expect(r.text.length).toBeLessThan(1000);
    // the upstream's own write buffers live in this process too (21.9 MB once under coverage and load); an
    // answer held whole would cost at least twice its 30 MB (the bytes, then the string)
    expect(growthMb).toBeLessThan(30);
    expect(await cachedKeys()).toEqual([]);
  });

  it('refuses a 5,000-character "token" and anything that is not a plausible credential', async () => {
    for (const token of ['t'.repeat(5000), '<html>not a token</html>', 'short']) {
      upstream.answer((_req, res) => json(res, JSON.stringify({ access_token: token, expires_in: 7200 })));
      const r = await sign();
      expect(r.status).toBe(503);
      expect(r.json.code).toBe('WECHAT_UNAVAILABLE');
      expect(r.text).not.toContain(token);
      expect(await cachedKeys()).toEqual([]);
      await svc.close();
      svc = await startApp(serviceEnv(upstream.url, ACCOUNT, { CACHE_KEY_PREFIX: prefix }), platform);
    }
  });

  it("answers a refusal with errcode and hint, keeping WeChat's errmsg (it names the server's IP) out of the body", async () => {
    upstream.answer((_req, res) =>
      json(
        res,
        JSON.stringify({
          errcode: 40164,
          errmsg: 'invalid ip 203.0.113.77 ipv6 ::ffff:203.0.113.77, not in whitelist rid: 6538ac7d-18c7e09b-572e68c3',
        }),
      ),
    );
    const r = await sign();
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ statusCode: 502, code: 'WECHAT_API_ERROR', errcode: 40164 });
    expect(r.json.hint).toContain('whitelist');
    expect(r.text).not.toContain('203.0.113.77');
    expect(r.text).not.toContain('rid:');
  });
});
