import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { postJson, type RunningApp, serviceEnv, startApp, PLATFORMS } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { deleteKeys, uniquePrefix } from '../support/redis-keys.js';

const A = { appId: 'wx1a1a2b2b3c3c4d4d', appSecret: 'diagnose-e2e-secret-a-0123' };
const B = { appId: 'wx5e5e6f6f7a7a8b8b', appSecret: 'diagnose-e2e-secret-b-0123' };
const IOS = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.49';
const ENTRY = 'https://h5.a.example/shop/?from=timeline';
const AFTER_PUSH = 'https://h5.a.example/shop/cart?id=7#top';

describe.each(PLATFORMS)('POST /wechat/jssdk/diagnose over HTTP (sandbox, Redis, two accounts), on %s', (platform) => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  const prefix = uniquePrefix('diagnose');

  beforeAll(async () => {
    // tickets live 2 s and every getticket hands out a new one: the service replaces its ticket within seconds
    sandbox = await startSandbox({ accounts: [A, B], ticketExpiresInSec: 2 });
    svc = await startApp(
      serviceEnv(sandbox.url, A, {
        CACHE_KEY_PREFIX: prefix,
        WECHAT_JS_DOMAINS: 'h5.a.example',
        WECHAT_ACCOUNTS: JSON.stringify([{ ...B, jsDomains: ['h5.b.example'] }]),
        RATE_LIMIT_PER_MINUTE: '40',
      }),
      platform,
    );
  });
  afterAll(async () => {
    await svc?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  const sign = (url: string, appId?: string) => postJson(`${svc.url}/wechat/jssdk/config`, { url, appId });
  const diagnose = (body: object) => postJson(`${svc.url}/wechat/jssdk/diagnose`, body);
  const totalCalls = () => Object.values(sandbox.sandbox.calls() as Record<string, number>).reduce((a, b) => a + b, 0);
  const codesOf = (answer: { json: any }) => answer.json.findings.map((f: { code: string }) => f.code);

  it('confirms a good signature and names the mistakes, without calling WeChat or showing a ticket', async () => {
    const good = (await sign(ENTRY)).json;
    const calls = totalCalls();
    const ok = await diagnose({ url: ENTRY, ...good });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.json).toEqual({ ok: true, findings: [{ code: 'SIGNATURE_VALID', message: expect.any(String) }] });

    // iOS: the page signed its url after pushState, WeChat checks the entry url
    const pushed = (await sign(AFTER_PUSH.split('#')[0]!)).json;
    const ios = await diagnose({ url: AFTER_PUSH, entryUrl: ENTRY, userAgent: IOS, ...pushed });
    expect(ios.json.ok).toBe(false);
    expect(codesOf(ios)).toEqual(['IOS_ENTRY_URL']);

    const encoded = (await sign(encodeURIComponent('https://h5.a.example/s?q=1'))).status;
    expect(encoded).toBe(400); // the service refuses an encoded url outright; the page's side of it:
    const twice = await diagnose({
      url: 'https://h5.a.example/s?q=1',
      signedUrl: encodeURIComponent('https://h5.a.example/s?q=1'),
    });
    expect(codesOf(twice)).toEqual(['ENCODED_TWICE']);

    const notHere = await diagnose({ url: ENTRY, ...good, signature: 'f'.repeat(40) });
    expect(codesOf(notHere)).toEqual(['NOT_SIGNED_HERE']);
    const reused = await diagnose({ url: ENTRY, ...good, timestamp: good.timestamp - 3600 });
    expect(codesOf(reused)).toContain('SIGNATURE_REUSED');

    expect(totalCalls() - calls).toBeLessThanOrEqual(2); // the signing above, never the diagnoses
    for (const answer of [ok, ios, twice, notHere, reused]) {
      for (const ticket of [sandbox.sandbox.currentTicket(A.appId, 'jsapi'), sandbox.sandbox.currentTicket(B.appId, 'jsapi')])
        if (ticket) expect(answer.text).not.toContain(ticket);
    }
  });

  it("WRONG_APP_ID when a page configures one account with another account's signature", async () => {
    const byB = (await sign('https://h5.b.example/page')).json;
    expect(byB.appId).toBe(B.appId);
    const answer = await diagnose({ url: 'https://h5.b.example/page', ...byB, appId: A.appId });
    expect(codesOf(answer)).toContain('WRONG_APP_ID');
    expect(answer.json.findings.find((f: { code: string }) => f.code === 'WRONG_APP_ID').message).toContain(B.appId);
    const unknown = await diagnose({ url: 'https://h5.b.example/page', ...byB, appId: 'wx0000000000000000' });
    expect(codesOf(unknown)[0]).toBe('WRONG_APP_ID');
  });

  it('STALE_TICKET for a signature made with the ticket the service has since replaced', async () => {
    const old = (await sign(ENTRY)).json;
    const firstTicket = sandbox.sandbox.currentTicket(A.appId, 'jsapi');
    // the 2 s ticket runs out; signing goes on with the next one
    const replaced = await eventually(
      async () => {
        await sign(ENTRY);
        return sandbox.sandbox.currentTicket(A.appId, 'jsapi') !== firstTicket;
      },
      10_000,
      200,
    );
    expect(replaced).toBe(true);
    const answer = await diagnose({ url: ENTRY, ...old });
    expect(codesOf(answer)).toEqual(['STALE_TICKET']);
  });

  it('refuses a malformed body with 400 and is rate-limited', async () => {
    for (const body of [{}, { url: 12 }, { url: 'https://h5.a.example/', extra: 1 }, { url: 'x'.repeat(5000) }]) {
      const answer = await diagnose(body);
      expect(answer.status).toBe(400);
      expect(answer.json.code).toMatch(/VALIDATION_FAILED|INVALID_URL/);
    }
    let last = await diagnose({ url: ENTRY });
    for (let i = 0; i < 40 && last.status !== 429; i++) last = await diagnose({ url: ENTRY });
    expect(last.status).toBe(429);
    expect(last.json.code).toBe('RATE_LIMITED');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
