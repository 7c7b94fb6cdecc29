import { createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import type { HttpAnswer, PlainHttp } from '../../src/core/ports.js';
import { V1_PRIVATE_KEY } from './pay-vectors.js';

/**
 * A stand-in for WeChat Pay at the core's HTTP seam (unit tests only; end-to-end tests use the
 * sandbox). It checks the merchant's Authorization header with its own code and signs every answer
 * with wechatpay-go's test key as "the WeChat Pay public key" PUB_KEY_ID_FAKE.
 */
export const FAKE_PUBLIC_KEY_ID = 'PUB_KEY_ID_0000000000000000000000000001';
export const FAKE_PLATFORM_PUBLIC_KEY: KeyObject = createPublicKey(V1_PRIVATE_KEY);

type Handler = (method: string, path: string, body: any) => { status: number; body?: unknown } | undefined;

export class FakePayHttp implements PlainHttp {
  readonly calls: { method: string; path: string; body: any }[] = [];
  /** answers to give instead of the default, in order */
  readonly next: Handler[] = [];
  /** replace the answer's signature (a forged or tampered answer) */
  tamper = false;
  prepayCounter = 0;
  trades = new Map<string, any>();

  constructor(
    private readonly merchantKey: KeyObject,
    private readonly now: () => number,
  ) {}

  async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body = ''): Promise<HttpAnswer> {
    const path = url.replace(/^https?:\/\/[^/]+/, '');
    const auth = headers.authorization ?? '';
    const items = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const message = `${method}\n${path}\n${items.timestamp}\n${items.nonce_str}\n${body}\n`;
    const signed = createVerify('RSA-SHA256')
      .update(message)
      .verify(this.merchantKey, items.signature ?? '', 'base64');
    if (!auth.startsWith('WECHATPAY2-SHA256-RSA2048 ') || !signed)
      return this.answer(401, { code: 'SIGN_ERROR', message: 'sign not match' });
    const parsed = body ? JSON.parse(body) : undefined;
    this.calls.push({ method, path, body: parsed });
    const override = this.next.shift()?.(method, path, parsed);
    if (override) return this.answer(override.status, override.body);
    return this.route(method, path, parsed);
  }

  private route(method: string, path: string, body: any): HttpAnswer {
    if (path === '/v3/pay/transactions/jsapi') {
      const known = this.trades.get(body.out_trade_no);
      if (known) return this.answer(200, { prepay_id: known.prepay_id });
      const trade = { ...body, prepay_id: `wx_prepay_${++this.prepayCounter}`, trade_state: 'NOTPAY' };
      this.trades.set(body.out_trade_no, trade);
      return this.answer(200, { prepay_id: trade.prepay_id });
    }
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/?]+)\?mchid=(\d+)$/.exec(path);
    if (query) {
      const t = this.trades.get(decodeURIComponent(query[1]));
      if (!t) return this.answer(404, { code: 'ORDER_NOT_EXIST', message: 'no such order' });
      return this.answer(200, {
        appid: t.appid,
        mchid: t.mchid,
        out_trade_no: t.out_trade_no,
        trade_state: t.trade_state,
        transaction_id: t.transaction_id,
        success_time: t.success_time,
        amount: { total: t.amount.total },
      });
    }
    if (/\/close$/.test(path)) return this.answer(204);
    if (path === '/v3/refund/domestic/refunds')
      return this.answer(200, {
        refund_id: `rf_${body.out_refund_no}`,
        out_refund_no: body.out_refund_no,
        out_trade_no: body.out_trade_no,
        status: 'PROCESSING',
        amount: body.amount,
      });
    return this.answer(404, { code: 'NOT_FOUND', message: 'no route' });
  }

  /** Marks a trade paid, as the user paying would. */
  pay(outTradeNo: string): void {
    const t = this.trades.get(outTradeNo);
    Object.assign(t, { trade_state: 'SUCCESS', transaction_id: `42000${outTradeNo}`, success_time: '2026-12-07T10:00:00+08:00' });
  }

  answer(status: number, payload?: unknown): HttpAnswer {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = 'fakeNonce' + this.calls.length;
    let signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(V1_PRIVATE_KEY, 'base64');
    if (this.tamper) signature = signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    return {
      status,
      body,
      headers: {
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': nonce,
        'wechatpay-signature': signature,
        'wechatpay-serial': FAKE_PUBLIC_KEY_ID,
      },
    };
  }
}

/** A notification as WeChat Pay would send it, signed with the fake's key. */
export function signNotification(body: string, nowMs: number, nonce = 'n0nce' + Math.random().toString(36).slice(2)) {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(V1_PRIVATE_KEY, 'base64');
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': signature,
    'wechatpay-serial': FAKE_PUBLIC_KEY_ID,
  };
}
