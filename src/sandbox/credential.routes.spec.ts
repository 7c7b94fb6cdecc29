import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { startSandbox, type SandboxServer } from './start-sandbox.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

describe('sandbox credential routes over HTTP', () => {
  const clock = { t: Date.UTC(2024, 5, 1, 12, 0, 0) };
  let server: SandboxServer;

  const getToken = (params: Record<string, string> = {}) => {
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret, ...params });
    return fetch(`${server.url}/cgi-bin/token?${query}`);
  };
  const postStable = (body: unknown, raw = false) =>
    fetch(`${server.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
  const stableBody = (extra: Record<string, unknown> = {}) => ({
    grant_type: 'client_credential',
    appid: appId,
    secret: appSecret,
    ...extra,
  });
  const getTicket = (query: string) => fetch(`${server.url}/cgi-bin/ticket/getticket?${query}`);
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

  beforeAll(async () => {
    server = await startSandbox({ now: () => clock.t, tokenDailyQuota: 5 });
  });
  afterAll(() => server.close());

  it('serves cgi-bin/token in WeChat shape, labelled as a simulator', async () => {
    const res = await getToken();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-wechat-sandbox')).toBe('simulator');
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in']);
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(body.expires_in).toBe(7200);
  });

  it('rotates classic tokens with a grace window for the previous one', async () => {
    const a = (await json(await getToken())).access_token as string;
    const b = (await json(await getToken())).access_token as string;
    expect(b).not.toBe(a);
    expect(server.sandbox.isAccessTokenValid(a)).toBe(true);
    clock.t += 300_000;
    expect(server.sandbox.isAccessTokenValid(a)).toBe(false);
    expect(server.sandbox.isAccessTokenValid(b)).toBe(true);
  });

  it('answers credential errors with HTTP 200 and a rid-suffixed errmsg', async () => {
    const wrong = await getToken({ secret: 'wrong' });
    expect(wrong.status).toBe(200);
    const body = await json(wrong);
    expect(body.errcode).toBe(40125);
    expect(body.errmsg).toMatch(/^invalid appsecret/);
    expect(body.errmsg).toMatch(RID);
    expect((await json(await getToken({ appid: 'wx0000000000000000' }))).errcode).toBe(40013);
    expect((await json(await getToken({ grant_type: 'authorization_code' }))).errcode).toBe(40002);
    const missing = await fetch(`${server.url}/cgi-bin/token?grant_type=client_credential&appid=${appId}`);
    expect((await json(missing)).errcode).toBe(41004);
  });

  it('returns 45009 once the classic daily quota is used up', async () => {
    // earlier tests used 3 of the 5 allowed successful calls
    await getToken();
    await getToken();
    const body = await json(await getToken());
    expect(body.errcode).toBe(45009);
    expect(body.errmsg).toMatch(/^reach max api daily quota limit rid: /);
  });

  it('serves stable tokens idempotently with decreasing expires_in', async () => {
    const first = await json(await postStable(stableBody()));
    expect(first.expires_in).toBe(7200);
    clock.t += 42_000;
    const second = await json(await postStable(stableBody({ force_refresh: false })));
    expect(second).toEqual({ access_token: first.access_token, expires_in: 7158 });
  });

  it('force-refreshes stable tokens, invalidating the old one at once', async () => {
    const old = (await json(await postStable(stableBody()))).access_token as string;
    clock.t += 31_000;
    const forced = await json(await postStable(stableBody({ force_refresh: true })));
    expect(forced.access_token).not.toBe(old);
    expect(forced.expires_in).toBe(7200);
    expect((await json(await getTicket(`access_token=${old}&type=jsapi`))).errcode).toBe(40001);
    // a second force inside the spacing is a no-op
    clock.t += 5_000;
    expect(await json(await postStable(stableBody({ force_refresh: true })))).toEqual({
      access_token: forced.access_token,
      expires_in: 7195,
    });
  });

  it('requires POST and a JSON body on stable_token', async () => {
    const query = `grant_type=client_credential&appid=${appId}&secret=${appSecret}`;
    const get = await fetch(`${server.url}/cgi-bin/stable_token?${query}`);
    expect(get.status).toBe(200);
    expect(get.headers.get('x-wechat-sandbox')).toBe('simulator');
    expect(await json(get)).toMatchObject({ errcode: 43002, errmsg: expect.stringMatching(/^require POST method/) });
    expect((await json(await postStable('{"grant_type":', true))).errcode).toBe(47001);
    expect((await json(await postStable('[1,2]', true))).errcode).toBe(47001);
    const form = await fetch(`${server.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credential&appid=${appId}&secret=${appSecret}`,
    });
    expect((await json(form)).errcode).toBe(47001);
    expect((await json(await fetch(`${server.url}/cgi-bin/stable_token`, { method: 'POST' }))).errcode).toBe(47001);
    expect((await json(await postStable(stableBody({ secret: 'nope' })))).errcode).toBe(40125);
  });

  it('serves tickets per type and keeps them while fresh', async () => {
    const token = (await json(await postStable(stableBody()))).access_token as string;
    const res = await getTicket(`access_token=${token}&type=jsapi`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const jsapi = await json(res);
    expect(jsapi).toEqual({ errcode: 0, errmsg: 'ok', ticket: expect.any(String), expires_in: 7200 });
    const again = await json(await getTicket(`access_token=${token}&type=jsapi`));
    expect(again.ticket).toBe(jsapi.ticket);
    const card = await json(await getTicket(`access_token=${token}&type=wx_card`));
    expect(card.errcode).toBe(0);
    expect(card.ticket).not.toBe(jsapi.ticket);
    expect(server.sandbox.currentTicket(appId, 'jsapi')).toBe(jsapi.ticket);
    expect(server.sandbox.currentTicket(appId, 'wx_card')).toBe(card.ticket);
  });

  it('rejects bad access tokens and types on getticket', async () => {
    const token = (await json(await postStable(stableBody()))).access_token as string;
    const err = async (q: string) => (await json(await getTicket(q))).errcode;
    expect(await err('type=jsapi')).toBe(41001);
    expect(await err('access_token=&type=jsapi')).toBe(41001);
    expect(await err('access_token=not-a-token&type=jsapi')).toBe(40001);
    expect(await err(`access_token=${token}&type=card`)).toBe(40097);
    expect(await err(`access_token=${token}`)).toBe(40097);
    clock.t += 7200_000;
    expect(await err(`access_token=${token}&type=jsapi`)).toBe(42001);
  });
});
