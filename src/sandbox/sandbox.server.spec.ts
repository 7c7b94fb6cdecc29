import Fastify from 'fastify';
import { Sandbox } from './sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { sandboxPlugin } from './sandbox.plugin.js';
import { startSandbox, type SandboxServer } from './start-sandbox.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;
const TOKEN_PATH = `/cgi-bin/token?grant_type=client_credential&appid=${appId}&secret=${appSecret}`;

describe('sandbox faults, control API and lifecycle', () => {
  let server: SandboxServer;
  const token = () => fetch(server.url + TOKEN_PATH);
  const control = (path: string, method = 'GET', body?: unknown) =>
    fetch(`${server.url}/__sandbox${path}`, {
      method,
      ...(body !== undefined && {
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    });

  beforeAll(async () => {
    server = await startSandbox();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.sandbox.clearFaults();
    server.sandbox.resetCalls();
  });

  it('listens on 127.0.0.1 with an ephemeral port and a url without trailing slash', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('errcode fault: HTTP 200 WeChat error body, state untouched', async () => {
    server.sandbox.injectFault('cgi-bin/token', { kind: 'errcode', errcode: -1 });
    const before = server.sandbox.issuedSecrets().length;
    const res = await token();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ errcode: -1, errmsg: expect.stringMatching(/^system error rid: /) });
    expect(server.sandbox.issuedSecrets()).toHaveLength(before);
    expect((await (await token()).json()) as object).toHaveProperty('access_token');
  });

  it('http fault: non-200 with an HTML body', async () => {
    server.sandbox.injectFault('cgi-bin/ticket/getticket', { kind: 'http', status: 500 });
    const res = await fetch(`${server.url}/cgi-bin/ticket/getticket?access_token=x&type=jsapi`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-wechat-sandbox')).toBe('simulator');
  });

  it('garbage fault: HTTP 200 with a body that is not JSON', async () => {
    server.sandbox.injectFault('cgi-bin/token', { kind: 'garbage' });
    const res = await token();
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('drop fault: the connection closes without an answer', async () => {
    server.sandbox.injectFault('cgi-bin/token', { kind: 'drop' });
    await expect(token()).rejects.toThrow();
    expect(server.sandbox.calls('cgi-bin/token')).toBe(1);
    expect((await token()).status).toBe(200);
  });

  it('slow fault: answers after the delay, normally or with the given errcode', async () => {
    server.sandbox.injectFault('cgi-bin/token', { kind: 'slow', delayMs: 150, errcode: -1 });
    server.sandbox.injectFault('cgi-bin/token', { kind: 'slow', delayMs: 100 });
    let started = performance.now();
    const busy = await (await token()).json();
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(busy).toMatchObject({ errcode: -1 });
    started = performance.now();
    const ok = await (await token()).json();
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(ok).toHaveProperty('access_token');
  });

  it('consumes faults in FIFO order, times copies each, and counts faulted calls', async () => {
    server.sandbox.injectFault('cgi-bin/token', { kind: 'errcode', errcode: 40001 }, 2);
    server.sandbox.injectFault('cgi-bin/token', { kind: 'errcode', errcode: 45009 });
    const codes: unknown[] = [];
    for (let i = 0; i < 4; i++) codes.push(((await (await token()).json()) as { errcode?: number }).errcode);
    expect(codes).toEqual([40001, 40001, 45009, undefined]);
    expect(server.sandbox.calls('cgi-bin/token')).toBe(4);
    expect(server.sandbox.calls()).toEqual({ 'cgi-bin/token': 4 });
  });

  it('control API: calls, reset-calls, fault injection and clearing', async () => {
    await token();
    await fetch(`${server.url}/cgi-bin/stable_token`);
    expect(await (await control('/calls')).json()).toEqual({ 'cgi-bin/token': 1, 'cgi-bin/stable_token': 1 });
    expect((await control('/reset-calls', 'POST')).status).toBe(200);
    expect(await (await control('/calls')).json()).toEqual({});

    const injected = await control('/faults', 'POST', {
      endpoint: 'cgi-bin/token',
      fault: { kind: 'http', status: 503 },
      times: 2,
    });
    expect(injected.status).toBe(200);
    expect(await injected.json()).toEqual({ ok: true, endpoint: 'cgi-bin/token', pending: 2 });
    expect((await token()).status).toBe(503);
    expect((await control('/faults', 'DELETE')).status).toBe(200);
    expect((await token()).status).toBe(200);
  });

  it('control API: rejects bad fault requests with 400 JSON', async () => {
    const bad = [
      'not json',
      { fault: { kind: 'drop' } },
      { endpoint: 'cgi-bin/nope', fault: { kind: 'drop' } },
      { endpoint: 'cgi-bin/token', fault: { kind: 'explode' } },
      { endpoint: 'cgi-bin/token', fault: { kind: 'http', status: 200 } },
      { endpoint: 'cgi-bin/token', fault: { kind: 'slow', delayMs: -5 } },
      { endpoint: 'cgi-bin/token', fault: { kind: 'errcode', errcode: '40001' } },
      { endpoint: 'cgi-bin/token', fault: { kind: 'drop' }, times: 0 },
    ];
    for (const body of bad) {
      const res = await control('/faults', 'POST', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toHaveProperty('error');
    }
    expect(server.sandbox.faults.pending()).toBe(0);
    expect(() => server.sandbox.injectFault('cgi-bin/nope', { kind: 'drop' })).toThrow(/unknown endpoint/);
  });

  it('control API never exposes secrets', async () => {
    await token();
    const texts = await Promise.all(
      [control('/calls'), control('/faults'), control('/reset-calls', 'POST'), control('/faults', 'DELETE')].map(
        async (p) => JSON.stringify([...(await p).headers]) + (await (await p).text()),
      ),
    );
    for (const secret of server.sandbox.issuedSecrets()) {
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });

  it('labels 404s as the simulator too', async () => {
    const res = await fetch(`${server.url}/cgi-bin/unknown`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-wechat-sandbox')).toBe('simulator');
  });

  it('stop() refuses connections, restart() serves again on the same port with the same state', async () => {
    const issued = ((await (await token()).json()) as { access_token: string }).access_token;
    const ticketUrl = `${server.url}/cgi-bin/ticket/getticket?access_token=${issued}&type=jsapi`;
    const before = ((await (await fetch(ticketUrl)).json()) as { ticket: string }).ticket;
    await server.stop();
    await expect(token()).rejects.toThrow();
    await server.restart();
    const after = (await (await fetch(ticketUrl)).json()) as { errcode: number; ticket: string };
    expect(after).toMatchObject({ errcode: 0, ticket: before });
    expect(server.sandbox.calls('cgi-bin/ticket/getticket')).toBe(2);
  });

  it('stop() does not hang on an in-flight slow request', async () => {
    server.sandbox.injectFault('cgi-bin/token', { kind: 'slow', delayMs: 5_000 });
    const pending = token().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await server.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    // fetch rejects (its TypeError comes from another realm, so no instanceof)
    expect(await pending).toHaveProperty('message', 'fetch failed');
    await server.restart();
  });
});

describe('sandboxPlugin mounted under a prefix in a host app', () => {
  it('serves under the prefix without changing the host JSON parsing', async () => {
    const host = Fastify();
    host.post('/echo', async (req) => ({ got: req.body }));
    const sandbox = new Sandbox();
    await host.register(sandboxPlugin, { prefix: '/sandbox', sandbox });
    try {
      const res = await host.inject({
        method: 'POST',
        url: '/sandbox/cgi-bin/stable_token',
        payload: { grant_type: 'client_credential', appid: appId, secret: appSecret },
      });
      expect(res.headers['x-wechat-sandbox']).toBe('simulator');
      expect(res.json()).toMatchObject({ expires_in: 7200 });
      expect(sandbox.calls('cgi-bin/stable_token')).toBe(1);
      const echo = await host.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
      expect(echo.json()).toEqual({ got: { a: 1 } });
      expect(echo.headers['x-wechat-sandbox']).toBeUndefined();
    } finally {
      await host.close();
    }
  });
});
