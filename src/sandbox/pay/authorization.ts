import type { KeyObject } from 'node:crypto';
import { simFailure, type SimFailure } from './pay-errors.js';
import { verifySha256Rsa } from './pay-crypto.js';

export const AUTHORIZATION_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const ITEMS = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'] as const;
type Items = Record<(typeof ITEMS)[number], string>;
/** WeChat Pay refuses a request signed more than 5 minutes away from its clock, either way. */
export const AUTH_MAX_SKEW_SEC = 300;
/** How much of the body WeChat Pay echoes in `truncated_sign_message` (its example shows `{"mchid"`). */
const ECHOED_BODY_CHARS = 8;

/** One request as the merchant sent it. */
export interface MerchantRequest {
  method: string;
  /** path and query as requested (with any mount prefix) */
  url: string;
  /** the exact body bytes; '' or empty for none */
  body: Buffer | string;
  authorization: string | undefined;
}

export interface SimMerchantIdentity {
  mchId: string;
  certSerial: string;
  publicKey: KeyObject;
}

/** The five `k="v"` items, in any order, each once; undefined when the header is malformed. */
export function parseAuthorizationHeader(header: string | undefined): Items | undefined {
  if (!header?.startsWith(`${AUTHORIZATION_SCHEME} `)) return undefined;
  const rest = header.slice(AUTHORIZATION_SCHEME.length + 1);
  const item = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/y;
  const found: Partial<Items> = {};
  for (let pos = 0; pos < rest.length; pos = item.lastIndex) {
    item.lastIndex = pos;
    const m = item.exec(rest);
    const key = m?.[1] as keyof Items | undefined;
    if (!m || !key || !ITEMS.includes(key) || found[key] !== undefined) return undefined;
    found[key] = m[2];
  }
  return ITEMS.every((k) => found[k] !== undefined) ? (found as Items) : undefined;
}

/** The path WeChat Pay itself sees: from `/v3/` on, whatever prefix the sandbox is mounted under. */
export function wechatPayUrl(url: string): string {
  const at = url.indexOf('/v3/');
  return at > 0 ? url.slice(at) : url;
}

/** `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` over the exact body bytes. */
export function authorizationMessage(
  method: string,
  url: string,
  timestamp: string,
  nonce: string,
  body: Buffer | string,
): Buffer {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${method}\n${url}\n${timestamp}\n${nonce}\n`, 'utf8'), raw, Buffer.from('\n')]);
}

/** 401 SIGN_ERROR with the `sign_information` WeChat Pay echoes (the body cut short, as it does). */
export function signErrorAnswer(req: MerchantRequest, items: Partial<Items> | undefined, issue: string): SimFailure {
  const url = wechatPayUrl(req.url);
  const { timestamp = '', nonce_str: nonce = '' } = items ?? {};
  const message = authorizationMessage(req.method, url, timestamp, nonce, req.body);
  const bodyText = typeof req.body === 'string' ? req.body : req.body.toString('utf8');
  const shortBody = Array.from(bodyText).slice(0, ECHOED_BODY_CHARS).join('');
  return simFailure(401, 'SIGN_ERROR', '签名错误，请检查后再试', {
    detail: { issue },
    field: 'signature',
    location: 'authorization',
    sign_information: {
      method: req.method,
      sign_message_length: message.length,
      truncated_sign_message: `${req.method}\n${url}\n${timestamp}\n${nonce}\n${shortBody}\n`,
      url,
    },
  });
}

/** Checks the `Authorization` header of one /v3 request; `nowSec` is the sandbox clock in Unix seconds. */
export function checkMerchantAuthorization(
  req: MerchantRequest,
  merchant: SimMerchantIdentity,
  nowSec: number,
): SimFailure | undefined {
  const items = parseAuthorizationHeader(req.authorization);
  if (!items) return signErrorAnswer(req, undefined, 'authorization format error');
  if (items.mchid !== merchant.mchId) return signErrorAnswer(req, items, 'mchid not match');
  if (items.serial_no.toUpperCase() !== merchant.certSerial.toUpperCase())
    return signErrorAnswer(req, items, 'serial_no not match');
  if (!/^\d{1,12}$/.test(items.timestamp) || Math.abs(nowSec - Number(items.timestamp)) > AUTH_MAX_SKEW_SEC) {
    return signErrorAnswer(req, items, 'timestamp expired');
  }
  // the URL as requested, or (mounted under a prefix) as WeChat Pay would see it at its root
  const urls = new Set([req.url, wechatPayUrl(req.url)]);
  for (const url of urls) {
    const message = authorizationMessage(req.method, url, items.timestamp, items.nonce_str, req.body);
    if (verifySha256Rsa(message, items.signature, merchant.publicKey)) return undefined;
  }
  return signErrorAnswer(req, items, 'sign not match');
}
