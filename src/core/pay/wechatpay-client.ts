import type { KeyObject } from 'node:crypto';
import { createNonce } from '../jssdk/nonce.js';
import type { Clock, HttpAnswer, Logger, PlainHttp } from '../ports.js';
import { aesGcmDecrypt, publicKeyFromPem } from './pay-crypto.js';
import { UNVERIFIED_ANSWER, WechatPayError } from './pay-errors.js';
import { authorizationHeader } from './request-signing.js';
import { type SignedMessage, verifyWechatPay, type VerificationKeys } from './wechatpay-verifier.js';
import type { JsapiOrderRequest, RefundRequest, WechatPayRefund, WechatPayTransaction } from './wechatpay-types.js';

/** Who the merchant is and how it signs. */
export interface MerchantCredentials {
  mchId: string;
  privateKey: KeyObject;
  certSerial: string;
  apiV3Key: Buffer;
  /** e.g. https://api.mch.weixin.qq.com, without a trailing slash */
  baseUrl: string;
}

const USER_AGENT = 'nest-wechat-h5 (WeChat Pay APIv3)';

/**
 * WeChat Pay APIv3 for one merchant: every call signed over the exact bytes sent, every answer
 * (errors and an empty 204 included) verified before anything in it is believed.
 */
export class WechatPayClient {
  constructor(
    private readonly merchant: MerchantCredentials,
    private readonly keys: VerificationKeys,
    private readonly http: PlainHttp,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async jsapiOrder(order: JsapiOrderRequest): Promise<string> {
    const answer = await this.call<{ prepay_id?: string }>('POST', '/v3/pay/transactions/jsapi', order);
    if (!answer?.prepay_id) throw new WechatPayError('NO_PREPAY_ID', 200, 'pay/transactions/jsapi');
    return answer.prepay_id;
  }

  async queryOrder(outTradeNo: string): Promise<WechatPayTransaction> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${this.merchant.mchId}`;
    return (await this.call<WechatPayTransaction>('GET', path)) as WechatPayTransaction;
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
    await this.call('POST', path, { mchid: this.merchant.mchId });
  }

  async refund(refund: RefundRequest): Promise<WechatPayRefund> {
    return (await this.call<WechatPayRefund>('POST', '/v3/refund/domestic/refunds', refund)) as WechatPayRefund;
  }

  async queryRefund(outRefundNo: string): Promise<WechatPayRefund> {
    const path = `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`;
    return (await this.call<WechatPayRefund>('GET', path)) as WechatPayRefund;
  }

  /**
   * The platform certificates, decrypted with the APIv3 key; the answer itself must verify with one
   * of them (or a key already held). `undefined` when the merchant has none (public-key merchants:
   * 404 RESOURCE_NOT_EXISTS).
   */
  async downloadCertificates(): Promise<Map<string, KeyObject> | undefined> {
    const answer = await this.exchange('GET', '/v3/certificates?algorithm_type=RSA', '');
    if (answer.status === 404 && errorOf(answer).code === 'RESOURCE_NOT_EXISTS') return undefined;
    if (answer.status !== 200) return this.refused(answer, 'certificates');
    const certs = new Map<string, KeyObject>();
    const body = JSON.parse(answer.body) as { data?: CertificateEntry[] };
    for (const entry of body.data ?? []) {
      const c = entry.encrypt_certificate;
      const pem = aesGcmDecrypt(c.ciphertext, c.nonce, c.associated_data, this.merchant.apiV3Key);
      certs.set(entry.serial_no.toUpperCase(), publicKeyFromPem(pem));
    }
    const held: VerificationKeys = { keyFor: (s) => certs.get(s.toUpperCase()) ?? this.keys.keyFor(s) };
    this.believe(answer, 'certificates', held);
    return certs;
  }

  /** One signed call; the parsed answer for a 2xx (undefined for 204), WechatPayError otherwise. */
  private async call<T>(method: 'GET' | 'POST', path: string, payload?: object): Promise<T | undefined> {
    const endpoint = endpointName(path);
    const answer = await this.exchange(method, path, payload === undefined ? '' : JSON.stringify(payload));
    if (answer.status < 200 || answer.status >= 300) return this.refused(answer, endpoint);
    this.believe(answer, endpoint, this.keys);
    if (answer.status === 204 || answer.body === '') return undefined;
    try {
      return JSON.parse(answer.body) as T;
    } catch {
      throw new WechatPayError('UNREADABLE_ANSWER', answer.status, endpoint);
    }
  }

  private exchange(method: 'GET' | 'POST', path: string, body: string): Promise<HttpAnswer> {
    const timestamp = Math.floor(this.clock() / 1000);
    const { mchId, certSerial, privateKey, baseUrl } = this.merchant;
    const call = { method, canonicalUrl: path, body, timestamp, nonce: createNonce(32) };
    const headers: Record<string, string> = {
      authorization: authorizationHeader(call, mchId, certSerial, privateKey),
      accept: 'application/json',
      'user-agent': USER_AGENT,
    };
    if (method === 'POST') headers['content-type'] = 'application/json';
    return this.http.send(method, baseUrl + path, headers, method === 'POST' ? body : undefined);
  }

  /** Throws unless the answer carries a valid signature by a key we hold. */
  private believe(answer: HttpAnswer, endpoint: string, keys: VerificationKeys): void {
    const verdict = verifyWechatPay(signedAnswer(answer), keys, this.clock());
    if (verdict.ok) return;
    this.logger.warn(`WeChat Pay ${endpoint}: answer ${answer.status} not believed (${verdict.reason})`);
    throw new WechatPayError(UNVERIFIED_ANSWER, answer.status, endpoint);
  }

  /** A refusal: its code goes to the client either way, but only a signed one is acted on (WechatPayError.verified). */
  private refused(answer: HttpAnswer, endpoint: string): never {
    const { code, message } = errorOf(answer);
    const signed = verifyWechatPay(signedAnswer(answer), this.keys, this.clock()).ok;
    this.logger.warn(`WeChat Pay ${endpoint} answered ${answer.status} ${code}${signed ? '' : ' (unsigned)'}: ${message}`);
    throw new WechatPayError(code, answer.status, endpoint, signed);
  }
}

/** An answer's signed headers and raw body, as the verifier reads them. */
function signedAnswer(answer: HttpAnswer): SignedMessage {
  const h = answer.headers;
  return {
    timestamp: h['wechatpay-timestamp'],
    nonce: h['wechatpay-nonce'],
    signature: h['wechatpay-signature'],
    serial: h['wechatpay-serial'],
    body: answer.body,
  };
}

interface CertificateEntry {
  serial_no: string;
  encrypt_certificate: { ciphertext: string; nonce: string; associated_data: string };
}

/** WeChat Pay's error body `{code, message}`; a stand-in code when it sent something else. */
function errorOf(answer: HttpAnswer): { code: string; message: string } {
  try {
    const body = JSON.parse(answer.body) as { code?: unknown; message?: unknown };
    const code = typeof body.code === 'string' && /^[A-Z_]{1,64}$/.test(body.code) ? body.code : undefined;
    if (code) return { code, message: typeof body.message === 'string' ? body.message.slice(0, 200) : '' };
  } catch {
    // not JSON: fall through
  }
  return { code: `HTTP_${answer.status}`, message: '' };
}

/** The path without `/v3/`, its query or the order number in it: a label for logs and errors. */
export function endpointName(path: string): string {
  return path
    .replace(/^\/v3\//, '')
    .replace(/\?.*$/, '')
    .replace(/\/(out-trade-no|refunds)\/[^/]+/, '/$1/:id');
}
