import { randomUUID } from 'node:crypto';
import { readPrepayRequest } from './jsapi-order.js';
import { sealAesGcm, randomAlphanumeric } from './pay-crypto.js';
import { SIM_PAY_ERRORS, type SimFailure, type SimResult } from './pay-errors.js';
import { wechatPayTime } from './pay-fields.js';
import { createSimPayKeys, type SimPayKeys, type SandboxPayMerchant } from './pay-keys.js';
import type { ResolvedSandboxPayOptions } from './pay-options.js';
import { urlUnderDirectories, paySignMatches, type SandboxPaySignParams } from './pay-page.js';
import { simRefundNotice, simRefundBody, simTransaction } from './pay-views.js';
import type { SimPayEvent, SimWechatPaySigner } from './notification.js';
import { PayNotifier, type SandboxPayNotifyOptions, type SandboxPayDelivery } from './notifier.js';
import { OrderBook, type SimOrder } from './order-book.js';
import { RefundBook, type SimRefund } from './refund-book.js';
import { PayScheduler } from './scheduler.js';
import type { SimPlatformCertificate } from './x509.js';

/** A refund reaches the user's balance this long (scaled) after it was accepted. */
export const REFUND_SETTLE_MS = 5000;

export type SandboxPayRefusal = 'ORDER_NOT_EXIST' | 'ORDER_CLOSED' | 'ORDERPAID' | 'PREPAY_EXPIRED' | 'PAYER_MISMATCH';

/** What the pay simulator needs of the rest of the sandbox. */
export interface PayWorld {
  /** ms clock */
  now: () => number;
  pay: ResolvedSandboxPayOptions;
  /** the accounts bound to the test merchant */
  appIds: readonly string[];
  /** the test user whose openid under `appId` this is */
  payerOf: (appId: string, openid: string) => string | undefined;
}

/** An order as the pay sheet shows it: amount in fen, and the test user who pays (by key). */
export interface SandboxSheetOrder {
  appId: string;
  outTradeNo: string;
  description: string;
  total: number;
  payer?: string;
}

/** Why the simulated user could not pay. */
export class SandboxPayError extends Error {
  constructor(
    readonly code: SandboxPayRefusal,
    message: string,
  ) {
    super(`sandbox: ${message}`);
  }
}

/**
 * The simulated WeChat Pay APIv3 (`sandbox.pay`): one test merchant bound to every sandbox account, its orders,
 * refunds and notifications. HTTP-agnostic; keys are generated on first use unless the options fix them.
 */
export class PaySimulator {
  private generated?: SimPayKeys;
  private readonly orders: OrderBook;
  private readonly refunds: RefundBook;
  private readonly scheduler = new PayScheduler();
  private readonly notifier: PayNotifier;

  constructor(private readonly options: PayWorld) {
    const { now, pay } = options;
    this.orders = new OrderBook(now);
    this.refunds = new RefundBook(now, this.orders);
    this.notifier = new PayNotifier({
      scheduler: this.scheduler,
      signer: () => this.signer,
      apiV3Key: () => this.keys.merchant.apiV3Key,
      now,
      timeScale: pay.notifyTimeScale,
      duplicateAfterMs: pay.duplicateAfterMs,
      timeoutMs: pay.notifyTimeoutMs,
    });
  }

  get keys(): SimPayKeys {
    this.generated ??= createSimPayKeys(this.options.pay, this.options.now());
    return this.generated;
  }

  /** The test merchant's configuration for the service: mchId, private key, cert serial, APIv3 key, WeChat Pay's public key and id. */
  get merchant(): SandboxPayMerchant {
    return { ...this.keys.merchant };
  }

  /** WeChat Pay's platform certificate (certificate mode only). */
  get platformCertificate(): SimPlatformCertificate | undefined {
    return this.keys.certificate && { ...this.keys.certificate };
  }

  /** The sandbox clock (ms). */
  now(): number {
    return this.options.now();
  }

  get signer(): SimWechatPaySigner {
    return { key: this.keys.wechatPayKey, serial: this.keys.signingSerial, now: this.options.now };
  }

  /** POST /v3/pay/transactions/jsapi after the signature check. */
  prepay(body: unknown): SimResult<{ prepay_id: string }> {
    const req = readPrepayRequest(body);
    if ('ok' in req) return req;
    if (req.mchid !== this.options.pay.mchId) return SIM_PAY_ERRORS.mchNotExists();
    if (!this.options.appIds.includes(req.appid)) return SIM_PAY_ERRORS.appidMchid();
    if (this.options.payerOf(req.appid, req.openid) === undefined) return SIM_PAY_ERRORS.openidMismatch();
    return this.orders.prepay(req);
  }

  /** The Transaction by out_trade_no (`byTransactionId`: by transaction_id), after the mchid query check. */
  query(id: string, mchid: string | undefined, byTransactionId = false): SimResult<Record<string, unknown>> {
    const problem = this.mchidProblem(mchid, '/query/mchid');
    if (problem) return problem;
    const order = byTransactionId ? this.orders.byTransactionId(id) : this.orders.get(id);
    return order ? { ok: true, body: simTransaction(order) } : SIM_PAY_ERRORS.orderNotExist();
  }

  close(outTradeNo: string, mchid: unknown): SimFailure | undefined {
    return this.mchidProblem(mchid, '/body/mchid') ?? this.orders.close(outTradeNo);
  }

  /** POST /v3/refund/domestic/refunds: PROCESSING now, SUCCESS (and REFUND.SUCCESS) after REFUND_SETTLE_MS, scaled. */
  refund(body: unknown): SimResult<Record<string, unknown>> {
    const result = this.refunds.create(body);
    if (!result.ok) return result;
    if (result.created)
      this.scheduler.later(REFUND_SETTLE_MS * this.options.pay.notifyTimeScale, () => this.settle(result.refund));
    return { ok: true, body: simRefundBody(result.refund) };
  }

  refundQuery(outRefundNo: string): SimResult<Record<string, unknown>> {
    const refund = this.refunds.get(outRefundNo);
    return refund ? { ok: true, body: simRefundBody(refund) } : SIM_PAY_ERRORS.refundNotExist();
  }

  /** GET /v3/certificates: 404 RESOURCE_NOT_EXISTS on the public key; the encrypted platform certificate otherwise. */
  certificates(): SimResult<Record<string, unknown>> {
    const cert = this.keys.certificate;
    if (!cert) return SIM_PAY_ERRORS.noCertificates();
    const nonce = randomAlphanumeric(12);
    const encrypt_certificate = {
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'certificate',
      ciphertext: sealAesGcm(cert.pem, this.keys.merchant.apiV3Key, nonce, 'certificate'),
      nonce,
    };
    const data = [
      {
        effective_time: wechatPayTime(cert.notBefore),
        encrypt_certificate,
        expire_time: wechatPayTime(cert.notAfter),
        serial_no: cert.serialNo,
      },
    ];
    return { ok: true, body: { data } };
  }

  /**
   * The user pays (by prepay_id or out_trade_no; `userKey`, if given, must be the order's payer): the order becomes
   * SUCCESS and TRANSACTION.SUCCESS goes to its notify_url. Returns the Transaction; throws SandboxPayError.
   */
  pay(ref: string, userKey?: string, options: SandboxPayNotifyOptions = {}): Record<string, unknown> {
    const order = this.payableOrder(ref);
    const { appid, openid, notifyUrl, outTradeNo } = order.request;
    if (userKey !== undefined && this.options.payerOf(appid, openid) !== userKey) {
      throw new SandboxPayError('PAYER_MISMATCH', `order ${outTradeNo} is not for user ${userKey}`);
    }
    this.orders.markPaid(order);
    const transaction = simTransaction(order);
    const event = this.event('TRANSACTION.SUCCESS', '支付成功', 'transaction', transaction);
    this.notifier.notify({ url: notifyUrl, outTradeNo }, event, options);
    return transaction;
  }

  /** What the simulated pay sheet shows for a page's prepay_id, if its order can be paid now; throws SandboxPayError. */
  sheetOrder(prepayId: string): SandboxSheetOrder {
    if (!this.orders.byPrepayId(prepayId)) throw new SandboxPayError('ORDER_NOT_EXIST', 'no order for this prepay_id');
    const { appid, openid, description, total, outTradeNo } = this.payableOrder(prepayId).request;
    return { appId: appid, outTradeNo, description, total, payer: this.options.payerOf(appid, openid) };
  }

  /** Every notification POST for this order (payment and refunds), in the order they were answered. */
  deliveries(outTradeNo: string): SandboxPayDelivery[] {
    return this.notifier.deliveries(outTradeNo);
  }

  /** Verifies a page's paySign with the merchant's public key. */
  checkPaySign(params: SandboxPaySignParams): boolean {
    return paySignMatches(params, this.keys.merchantPublicKey);
  }

  isUnderPayDirectory(pageUrl: string): boolean {
    return urlUnderDirectories(pageUrl, this.options.pay.payDirectories);
  }

  /** Resolves when no notification, retry or refund is pending. */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** Cancels pending deliveries, retries and refund settling (the sandbox server's stop and close call it). */
  stop(): void {
    this.scheduler.stop();
  }

  private payableOrder(ref: string): SimOrder {
    const byPrepay = this.orders.byPrepayId(ref);
    if (byPrepay && !byPrepay.current) throw new SandboxPayError('PREPAY_EXPIRED', 'this prepay_id expired or was replaced');
    const order = byPrepay?.order ?? this.orders.get(ref);
    if (!order) throw new SandboxPayError('ORDER_NOT_EXIST', `no order ${ref}`);
    if (order.state === 'CLOSED') throw new SandboxPayError('ORDER_CLOSED', `order ${order.request.outTradeNo} is closed`);
    if (order.state !== 'NOTPAY') throw new SandboxPayError('ORDERPAID', `order ${order.request.outTradeNo} is paid already`);
    return order;
  }

  private settle(refund: SimRefund): void {
    this.refunds.settle(refund);
    if (refund.notifyUrl === undefined) return;
    const event = this.event('REFUND.SUCCESS', '退款成功', 'refund', simRefundNotice(refund, this.options.pay.mchId));
    this.notifier.notify({ url: refund.notifyUrl, outTradeNo: refund.outTradeNo, outRefundNo: refund.outRefundNo }, event);
  }

  private event(
    eventType: SimPayEvent['eventType'],
    summary: string,
    originalType: SimPayEvent['originalType'],
    resource: object,
  ): SimPayEvent {
    const createTime = wechatPayTime(this.options.now());
    return { id: randomUUID(), createTime, eventType, summary, originalType, plaintext: JSON.stringify(resource) };
  }

  private mchidProblem(mchid: unknown, source: string): SimFailure | undefined {
    if (typeof mchid !== 'string' || mchid === '') return SIM_PAY_ERRORS.field(source, '缺少必填字段');
    return mchid === this.options.pay.mchId ? undefined : SIM_PAY_ERRORS.mchNotExists();
  }
}
