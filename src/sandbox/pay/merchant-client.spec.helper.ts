import { createDecipheriv, createPrivateKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The merchant's side of WeChat Pay APIv3 for the pay simulator's tests, written apart from the simulator with
 * node:crypto alone: it signs requests the way the SDKs do and verifies answers and notifications.
 */
export interface TestMerchantKeys {
  mchId: string;
  privateKey: string;
  certSerial: string;
}

export interface PayAnswer {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into answers
  json: any;
  headers: Headers;
}

export interface CallOptions {
  /** Unix seconds to sign with (default: the clock) */
  timestamp?: number;
  /** the five items in this order (default: mchid, nonce_str, timestamp, serial_no, signature) */
  order?: string[];
  /** replaces the signature item */
  signature?: string;
  /** signs this URL instead of the one requested */
  signedUrl?: string;
}

const DEFAULT_ORDER = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'];

export function sha256RsaBase64(message: string, key: KeyObject): string {
  return sign('sha256', Buffer.from(message, 'utf8'), key).toString('base64');
}

/** `Wechatpay-Signature` over `TS\nNONCE\nBODY\n` with the given WeChat Pay key. */
export function wechatPayAnswerVerifies(headers: Headers | IncomingHttpHeaders, body: string, key: KeyObject): boolean {
  const get = (name: string) =>
    (headers instanceof Headers ? headers.get(name) : (headers[name.toLowerCase()] as string | undefined)) ?? '';
  const message = `${get('Wechatpay-Timestamp')}\n${get('Wechatpay-Nonce')}\n${body}\n`;
  return verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(get('Wechatpay-Signature'), 'base64'));
}

/** AEAD_AES_256_GCM with the APIv3 key, tag checked. */
export function decryptWechatPayResource(
  resource: { ciphertext: string; nonce: string; associated_data: string },
  apiV3Key: string,
): string {
  const all = Buffer.from(resource.ciphertext, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(resource.nonce));
  decipher.setAAD(Buffer.from(resource.associated_data));
  decipher.setAuthTag(all.subarray(-16));
  return Buffer.concat([decipher.update(all.subarray(0, -16)), decipher.final()]).toString('utf8');
}

/** Calls `baseUrl` + path signed as `merchant`, with timestamps from `clockMs`. */
export function sandboxTestMerchant(baseUrl: string, merchant: TestMerchantKeys, clockMs: () => number) {
  const key = createPrivateKey(merchant.privateKey);
  return async (method: 'GET' | 'POST', path: string, body?: unknown, options: CallOptions = {}): Promise<PayAnswer> => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const timestamp = String(options.timestamp ?? Math.floor(clockMs() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signedPath = options.signedUrl ?? new URL(baseUrl + path).pathname + new URL(baseUrl + path).search;
    const items: Record<string, string> = {
      mchid: merchant.mchId,
      nonce_str: nonce,
      timestamp,
      serial_no: merchant.certSerial,
      signature: options.signature ?? sha256RsaBase64(`${method}\n${signedPath}\n${timestamp}\n${nonce}\n${text}\n`, key),
    };
    const authorization =
      'WECHATPAY2-SHA256-RSA2048 ' + (options.order ?? DEFAULT_ORDER).map((k) => `${k}="${items[k]}"`).join(',');
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined && { body: text }) });
    const answer = await res.text();
    return { status: res.status, text: answer, json: answer ? JSON.parse(answer) : undefined, headers: res.headers };
  };
}

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A merchant's notify_url on 127.0.0.1: answers each POST with the next scripted status (the last one repeats)
 * and lets a test await deliveries one by one.
 */
export async function startNotifyReceiver(statuses: number[] = [204], answerBody = '') {
  const received: ReceivedNotification[] = [];
  const waiting: Array<(n: ReceivedNotification) => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const notification = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = statuses[Math.min(received.length, statuses.length - 1)]!;
      received.push(notification);
      res
        .writeHead(status, answerBody ? { 'content-type': 'application/json' } : {})
        .end(status === 204 ? undefined : answerBody);
      waiting.shift()?.(notification);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let seen = 0;
  return {
    url: `http://127.0.0.1:${port}/wechat/pay/notify`,
    received,
    /** the next delivery not yet taken */
    next(): Promise<ReceivedNotification> {
      const index = seen++;
      return index < received.length ? Promise.resolve(received[index]!) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
