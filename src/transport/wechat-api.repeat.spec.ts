import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WechatEvents } from '../core/events.js';
import { SILENT } from '../core/ports.js';
import { WechatUnavailableError } from '../core/wechat-api.error.js';
import { resolveWechatOptions } from '../nest/wechat.options.js';
import { WechatApiClient } from './wechat-api.client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const APP = { appId: 'wx0123456789abcdef' };
const ONCE = { ...APP, repeatable: false };

function clientFor(apiBaseUrl: string, events = new WechatEvents()): WechatApiClient {
  const options = resolveWechatOptions({
    appId: APP.appId,
    appSecret: 'secret-secret',
    apiBaseUrl,
    httpTimeoutMs: 200,
    retryPolicy: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return new WechatApiClient(options, events, SILENT);
}

describe('WechatApiClient: calls that must not take effect twice', () => {
  let server: Server;
  let client: WechatApiClient;
  let answers: Handler[] = [];
  let hits = 0;
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    server = createServer((req, res) => {
      hits += 1;
      open.add(res);
      res.on('close', () => open.delete(res));
      req.resume();
      (answers.shift() ?? ((_q, r) => r.end('{"errcode":0,"errmsg":"ok"}')))(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  beforeEach(() => {
    answers = [];
    hits = 0;
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    server.close();
    await once(server, 'close');
    Logger.overrideLogger(['log', 'warn', 'error']);
  });

  const status =
    (code: number): Handler =>
    (_req, res) =>
      res.writeHead(code).end('busy');
  const silent: Handler = () => undefined; // never answers: the attempt times out
  const notJson: Handler = (_req, res) => res.end('<html>gateway</html>');

  it.each([
    ['HTTP 500', status(500)],
    ['HTTP 502', status(502)],
    ['a timeout', silent],
    ['an answer that is not JSON', notJson],
  ])('after %s (WeChat may have acted) it is sent once and fails as unavailable', async (_case, first) => {
    answers = [first];
    const call = client.post('cgi-bin/message/custom/send', { touser: 'o1' }, {}, ONCE);
    await expect(call).rejects.toThrow(WechatUnavailableError);
    await expect(call).rejects.toThrow(/not repeated/);
    expect(hits).toBe(1);
  });

  it('the same failures are repeated for a call that may be (the default)', async () => {
    answers = [status(500), silent];
    await expect(client.post('cgi-bin/message/custom/send', {}, {}, APP)).resolves.toEqual({ errcode: 0, errmsg: 'ok' });
    expect(hits).toBe(3);
  });

  it('after 429 (refused unread) it is repeated', async () => {
    answers = [status(429)];
    await expect(client.post('cgi-bin/message/custom/send', {}, {}, ONCE)).resolves.toEqual({ errcode: 0, errmsg: 'ok' });
    expect(hits).toBe(2);
  });

  it("after WeChat's errcode -1 (busy, nothing done) it is repeated", async () => {
    answers = [(_req, res) => res.end('{"errcode":-1,"errmsg":"system error"}')];
    await expect(client.post('cgi-bin/message/custom/send', {}, {}, ONCE)).resolves.toEqual({ errcode: 0, errmsg: 'ok' });
    expect(hits).toBe(2);
  });

  it('a refused connection (nothing was sent) is repeated until the attempts are used up', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const events = new WechatEvents();
    const outcomes: string[] = [];
    events.subscribe({ apiCall: (_endpoint, outcome) => outcomes.push(outcome) });
    const call = clientFor(`http://127.0.0.1:${port}`, events).post('cgi-bin/message/custom/send', {}, {}, ONCE);
    await expect(call).rejects.toThrow(WechatUnavailableError);
    await expect(call).rejects.not.toThrow(/not repeated/);
    expect(outcomes).toEqual(['transport', 'transport', 'transport']);
  });
});
