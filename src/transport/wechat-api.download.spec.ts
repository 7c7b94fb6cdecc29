import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { WechatEvents } from '../core/events.js';
import { SILENT } from '../core/ports.js';
import { resolveWechatOptions } from '../nest/wechat.options.js';
import { WechatApiClient } from './wechat-api.client.js';
import { WechatApiError, WechatUnavailableError } from '../core/wechat-api.error.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('WechatApiClient.download', () => {
  let server: Server;
  let client: WechatApiClient;
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const openResponses = new Set<ServerResponse>();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    server = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname.slice(1);
      hits.set(path, (hits.get(path) ?? 0) + 1);
      openResponses.add(res);
      res.on('close', () => openResponses.delete(res));
      (routes.get(path) ?? ((_q, r) => r.writeHead(404).end()))(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const options = resolveWechatOptions({
      appId: 'wx0123456789abcdef',
      appSecret: 'secret-secret',
      apiBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      httpTimeoutMs: 300,
      retryPolicy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    client = new WechatApiClient(options, new WechatEvents(), SILENT);
  });
  afterAll(async () => {
    for (const res of openResponses) res.destroy();
    server.close();
    await once(server, 'close');
    Logger.overrideLogger(['log', 'warn', 'error']);
  });

  it('hands back a file unread, with its type, length and file name', async () => {
    const bytes = Buffer.alloc(200_000, 0xab);
    routes.set('file', (_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'audio/amr',
          'content-length': bytes.length,
          'content-disposition': 'attachment; filename="v.amr"',
        })
        .end(bytes),
    );
    const answer = await client.download('file', { media_id: 'x' });
    if (answer.kind !== 'file') throw new Error('expected a file');
    expect(answer.file).toMatchObject({ contentType: 'audio/amr', contentLength: bytes.length, filename: 'v.amr' });
    expect((await readAll(answer.file.body)).equals(bytes)).toBe(true);
  });

  it('does not follow a redirect of a download, and fetches nothing from where it points', async () => {
    routes.set('moved', (_req, res) => res.writeHead(302, { location: '/file-elsewhere' }).end());
    routes.set('file-elsewhere', (_req, res) => res.writeHead(200, { 'content-type': 'audio/amr' }).end(Buffer.alloc(10)));
    const error = await client.download('moved', { media_id: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatUnavailableError);
    expect((error as Error).message).toContain('redirect');
    expect(hits.get('file-elsewhere')).toBeUndefined();
  });

  it('reads an errcode sent as text/plain and throws WechatApiError (40001 is token-invalid)', async () => {
    routes.set('expired', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end('{"errcode":40001,"errmsg":"invalid credential"}'),
    );
    const error = await client.download('expired', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect(error).toMatchObject({ errcode: 40001, kind: 'token-invalid', endpoint: 'expired' });
  });

  it('reads a small body starting with { as JSON whatever its label, but keeps a binary that only looks so', async () => {
    routes.set('mislabelled', (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('{"errcode":40007,"errmsg":"invalid media_id"}'),
    );
    await expect(client.download('mislabelled', {})).rejects.toMatchObject({ errcode: 40007 });
    const brace = Buffer.concat([Buffer.from('{'), Buffer.alloc(5000, 1)]);
    routes.set('brace', (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': brace.length }).end(brace),
    );
    const answer = await client.download('brace', {});
    if (answer.kind !== 'file') throw new Error('expected a file');
    expect((await readAll(answer.file.body)).equals(brace)).toBe(true);
  });

  it('gives a JSON answer without errcode back as json (a video_url)', async () => {
    routes.set('video', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"video_url":"http://v/1.mp4"}'),
    );
    expect(await client.download('video', {})).toEqual({ kind: 'json', body: { video_url: 'http://v/1.mp4' } });
  });

  it('retries an HTML error page, then reports WeChat unavailable', async () => {
    routes.set('html', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>'));
    await expect(client.download('html', {})).rejects.toBeInstanceOf(WechatUnavailableError);
    expect(hits.get('html')).toBe(2);
  });

  it('aborts a body that stops moving, so its reader gets an error instead of waiting forever', async () => {
    routes.set('stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 100_000 });
      res.write(Buffer.alloc(1000, 2));
    });
    const answer = await client.download('stall', {});
    if (answer.kind !== 'file') throw new Error('expected a file');
    const started = Date.now();
    await expect(readAll(answer.file.body)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
