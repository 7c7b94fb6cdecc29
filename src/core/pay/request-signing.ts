import type { KeyObject } from 'node:crypto';
import { rsaSign } from './pay-crypto.js';

/** What one call to WeChat Pay is signed over. */
export interface SignedCall {
  method: 'GET' | 'POST';
  /** path plus `?query` when there is one, without the host */
  canonicalUrl: string;
  /** the exact body sent; '' for none */
  body: string;
  /** Unix seconds */
  timestamp: number;
  nonce: string;
}

/** Five lines, each ending in a newline (the last one too): METHOD, URL, TIMESTAMP, NONCE, BODY. */
export function requestMessage(call: SignedCall): string {
  return `${call.method}\n${call.canonicalUrl}\n${call.timestamp}\n${call.nonce}\n${call.body}\n`;
}

/** The `Authorization` header of a call to WeChat Pay, signed with the merchant's API key. */
export function authorizationHeader(call: SignedCall, mchId: string, certSerial: string, key: KeyObject): string {
  const signature = rsaSign(requestMessage(call), key);
  return (
    `WECHATPAY2-SHA256-RSA2048 mchid="${mchId}",nonce_str="${call.nonce}",` +
    `timestamp="${call.timestamp}",serial_no="${certSerial}",signature="${signature}"`
  );
}
