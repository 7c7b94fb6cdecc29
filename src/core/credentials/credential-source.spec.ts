import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Problem } from '../problem.js';
import { RemoteCredentialSource } from './credential-source.js';

const TOKEN = 't'.repeat(32);
const VALUE = 'ACCESS_TOKEN_0123456789abcdef';
const NOW = 1_800_000_000_000;

describe('RemoteCredentialSource (a central server over HTTP)', () => {
  let server: Server;
  let answer: (request: IncomingMessage, body: string, response: ServerResponse) => void;
  const seen: { method: string; url: string; authorization?: string; body: string }[] = [];
  let base = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        seen.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization, body });
        answer(request, body, response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/wechat/credentials/`;
  });
  beforeEach(() => (seen.length = 0));
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const source = () => new RemoteCredentialSource({ url: base, token: TOKEN, timeoutMs: 300 }, () => NOW);
  const json = (status: number, body: unknown) => (_q: IncomingMessage, _b: string, response: ServerResponse) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const good = (kind = 'access_token', appId = 'wxabc') =>
    json(200, { appId, kind, value: VALUE, expiresAt: NOW + 7_000_000, expiresIn: 7000 });

  it('reads a kind with its bearer, and turns expiresAt into a lifetime', async () => {
    answer = good('jsapi_ticket');
    expect(await source().fetch('wxabc', 'jsapi_ticket')).toEqual({ value: VALUE, expiresInSec: 7000 });
    expect(seen).toEqual([
      { method: 'GET', url: '/wechat/credentials/wxabc/jsapi_ticket', authorization: `Bearer ${TOKEN}`, body: '' },
    ]);
  });

  it('reports a rejected token to the invalid route', async () => {
    answer = good();
    await source().reportInvalid('wxabc', 'OLD_TOKEN_0123456789');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/wechat/credentials/wxabc/access_token/invalid' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ value: 'OLD_TOKEN_0123456789' });
  });

  it('retries an outage once, then 503 CREDENTIAL_SOURCE_UNAVAILABLE', async () => {
    answer = json(502, { code: 'X' });
    const error = await source()
      .fetch('wxabc', 'access_token')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Problem);
    expect(error).toMatchObject({ statusCode: 503, code: 'CREDENTIAL_SOURCE_UNAVAILABLE' });
    expect(seen).toHaveLength(2);
  });

  it('a refusal is 502 CREDENTIAL_SOURCE_REFUSED with the status, at once, and never repeats the token', async () => {
    answer = json(401, { code: 'UNAUTHORIZED' });
    const error = (await source()
      .fetch('wxabc', 'access_token')
      .catch((e: unknown) => e)) as Problem;
    expect(error).toMatchObject({ statusCode: 502, code: 'CREDENTIAL_SOURCE_REFUSED', extra: { status: 401 } });
    expect(error.message).not.toContain(TOKEN);
    expect(seen).toHaveLength(1);
  });

  it('refuses answers that are not this credential: another account or kind, an implausible value, no expiry, too long', async () => {
    const bad = [
      good('access_token', 'wxother'),
      good('jsapi_ticket'),
      json(200, { appId: 'wxabc', kind: 'access_token', value: '<html>', expiresAt: NOW }),
      json(200, { appId: 'wxabc', kind: 'access_token', value: VALUE }),
      json(200, { appId: 'wxabc', kind: 'access_token', value: VALUE, expiresAt: NOW, pad: 'x'.repeat(20_000) }),
      (_q: IncomingMessage, _b: string, response: ServerResponse) => response.end('not json'),
    ];
    for (const reply of bad) {
      answer = reply;
      await expect(source().fetch('wxabc', 'access_token')).rejects.toMatchObject({ code: 'CREDENTIAL_SOURCE_UNAVAILABLE' });
    }
  });

  it('gives up on a silent server after its timeout', async () => {
    answer = () => undefined;
    const started = Date.now();
    await expect(source().fetch('wxabc', 'access_token')).rejects.toMatchObject({
      message: 'the credential source is unavailable: timed out',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a url it cannot use, without repeating it', () => {
    expect(() => new RemoteCredentialSource({ url: 'not a url', token: TOKEN })).toThrow('must be an absolute http(s) url');
    expect(() => new RemoteCredentialSource({ url: 'http://u:pw@central/x', token: TOKEN })).toThrow('without credentials');
    expect(() => new RemoteCredentialSource({ url: 'ftp://central/x', token: TOKEN })).toThrow('http(s)');
    expect(() => new RemoteCredentialSource({ url: base, token: '' })).toThrow('token: is required');
  });
});
