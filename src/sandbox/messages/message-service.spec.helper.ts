import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The service's side of WeChat's message push for the message simulator's tests, written apart from the simulator
 * with node:crypto alone: it checks signatures, opens `Encrypt`, and seals passive replies as the SDKs do.
 */

export function sha1Sorted(parts: string[]): string {
  return createHash('sha1').update(parts.slice().sort().join('')).digest('hex');
}

function aesKeyOf(encodingAesKey: string): Buffer {
  return Buffer.from(encodingAesKey + '=', 'base64');
}

/** Opens an `Encrypt`: the XML and the id after it. */
export function openEncrypt(encrypt: string, encodingAesKey: string): { xml: string; id: string } {
  const key = aesKeyOf(encodingAesKey);
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
  const unpadded = plain.subarray(0, plain.length - plain[plain.length - 1]!);
  const length = unpadded.readUInt32BE(16);
  return {
    xml: unpadded.subarray(20, 20 + length).toString('utf8'),
    id: unpadded.subarray(20 + length).toString('utf8'),
  };
}

/** A safe-mode passive reply: `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
export function sealReply(
  xml: string,
  s: { encodingAesKey: string; appId: string; token: string },
  timestamp = '1700000000',
  nonce = '987654321',
): string {
  const key = aesKeyOf(s.encodingAesKey);
  const body = Buffer.from(xml);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), len, body, Buffer.from(s.appId)]);
  const pad = 32 - (plain.length % 32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const encrypt = Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), c.final()]).toString('base64');
  const signature = sha1Sorted([s.token, timestamp, nonce, encrypt]);
  return `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`;
}

/** A field of a flat message XML (CDATA or bare), read with a regex: enough for the sandbox's own documents. */
export function fieldOf(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The element names of a flat message XML, in order. */
export function elementsOf(xml: string): string[] {
  const inner = xml.replace(/^<xml>|<\/xml>$/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  return [...inner.matchAll(/<([A-Za-z0-9_]+)>/g)].map((m) => m[1]!);
}

export interface ReceivedPush {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the service answers one push: a status and body, or never (hold: the request stays open until close). */
export type ReceiverAnswer = { status?: number; body?: string; contentType?: string } | 'hold';

/**
 * A service's message url on 127.0.0.1: answers each POST through `answer` (index 0 for the first) and lets a test
 * await pushes one by one.
 */
export async function startMessageReceiver(answer: (push: ReceivedPush, index: number) => ReceiverAnswer) {
  const received: ReceivedPush[] = [];
  const waiting: Array<(p: ReceivedPush) => void> = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const push: ReceivedPush = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = received.length;
      received.push(push);
      const a = answer(push, index);
      if (a === 'hold') held.push(res);
      else res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'text/xml' }).end(a.body ?? 'success');
      waiting.shift()?.(push);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let seen = 0;
  return {
    url: `http://127.0.0.1:${port}/wechat/messages`,
    received,
    /** the next push not yet taken */
    next(): Promise<ReceivedPush> {
      const index = seen++;
      return index < received.length ? Promise.resolve(received[index]!) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
