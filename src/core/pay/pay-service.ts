import { createNonce } from '../jssdk/nonce.js';
import type { Clock, Logger } from '../ports.js';
import { Problem } from '../problem.js';
import { WechatPayError } from './pay-errors.js';
import { clientPayParams, type BridgeConfig, type SdkConfig } from './client-pay-params.js';
import { readNotification, type PayNotification } from './notification-reader.js';
import { checkOrderInput, type OrderInput } from './order-input.js';
import type { NewPayOrder, PayOrder, PayOrders, PayRefund, TradeState } from './pay-orders.js';
import { Settlement, type PayHooks, type SettleResult } from './settlement.js';
import type { MerchantCredentials, WechatPayClient } from './wechatpay-client.js';
import type { WechatPayRefundNotice, WechatPayTransaction } from './wechatpay-types.js';
import type { VerificationKeys } from './wechatpay-verifier.js';

/** Who pays: a logged-in user of one account. */
export interface Payer {
  appId: string;
  openid: string;
}

export interface CreatedOrder {
  /** true for a new order, false for the same order asked again */
  created: boolean;
  outTradeNo: string;
  bridgeConfig: BridgeConfig;
  sdkConfig: SdkConfig;
}

/** An order as its payer may see it. */
export interface OrderView {
  outTradeNo: string;
  state: TradeState;
  amount: number;
  transactionId?: string;
  paidAt?: string;
}

export interface RefundInput {
  outTradeNo: string;
  amount: number;
  outRefundNo?: string;
  reason?: string;
}

export type NotificationResult = SettleResult | 'duplicate' | 'ignored';

/** What pay reports as it works; metrics subscribe. */
export interface PayEventSink {
  payOrder(state: string): void;
  payNotification(result: string): void;
}

export interface PayServiceDeps {
  merchant: MerchantCredentials;
  notifyUrl: string;
  client: WechatPayClient;
  orders: PayOrders;
  keys: VerificationKeys;
  hooks: PayHooks;
  clock: Clock;
  logger: Logger;
  events?: PayEventSink;
}

/** An unpaid order older than this is confirmed with WeChat Pay before its state is answered. */
const CONFIRM_AFTER_MS = 10_000;
/** At most one confirming query per order in this time, across instances. */
const QUERY_EVERY_MS = 5_000;
const NO_EVENTS: PayEventSink = { payOrder: () => undefined, payNotification: () => undefined };

const notFound = () => new Problem(404, 'ORDER_NOT_FOUND', 'no such order for this payer');

/**
 * JSAPI pay for one merchant: orders recorded in the ledger before the page can pay, the page's
 * parameters signed, states confirmed with WeChat Pay (the page's "ok" is not proof), refunds that
 * never pass what was paid, and notifications verified, decrypted and applied once.
 */
export class PayService {
  private readonly settlement: Settlement;
  private readonly events: PayEventSink;

  constructor(private readonly deps: PayServiceDeps) {
    this.events = deps.events ?? NO_EVENTS;
    this.settlement = new Settlement(deps.merchant.mchId, deps.orders, deps.hooks, deps.clock, deps.logger, (s) =>
      this.events.payOrder(s),
    );
  }

  get mchId(): string {
    return this.deps.merchant.mchId;
  }

  /** Records the order (NOTPAY), asks WeChat Pay for a prepay_id and signs the page's parameters. */
  async createJsapiOrder(payer: Payer, input: OrderInput): Promise<CreatedOrder> {
    const now = this.deps.clock();
    const checked = checkOrderInput(input, now);
    const wanted: NewPayOrder = { mchId: this.mchId, ...payer, ...checked, outTradeNo: checked.outTradeNo };
    const { created, order } = await this.deps.orders.insertOrder(wanted, now);
    if (created) this.events.payOrder('NOTPAY');
    else if (!sameOrder(order, wanted))
      throw new Problem(409, 'OUT_TRADE_NO_USED', 'this outTradeNo is taken by an order with other parameters');
    else if (order.state !== 'NOTPAY')
      throw new Problem(409, 'ORDER_NOT_PAYABLE', `this order is ${order.state}`, { state: order.state });
    // WeChat Pay answers an identical repeat with the order's current prepay_id
    const prepayId = await this.deps.client.jsapiOrder({
      appid: payer.appId,
      mchid: this.mchId,
      description: order.description,
      out_trade_no: order.outTradeNo,
      notify_url: this.deps.notifyUrl,
      amount: { total: order.amount, currency: 'CNY' },
      payer: { openid: payer.openid },
      ...(order.attach !== undefined ? { attach: order.attach } : {}),
      ...(order.timeExpire !== undefined ? { time_expire: order.timeExpire } : {}),
    });
    if (prepayId !== order.prepayId) await this.deps.orders.setPrepayId(this.mchId, order.outTradeNo, prepayId, now);
    const params = clientPayParams(payer.appId, prepayId, this.deps.clock(), createNonce(32), this.deps.merchant.privateKey);
    return { created, outTradeNo: order.outTradeNo, ...params };
  }

  /**
   * The order's state; `payer` limits it to its own payer (others get 404). An unpaid order older
   * than 10 s is confirmed with WeChat Pay first, at most once per 5 s per order.
   */
  async query(outTradeNo: string, payer?: Payer): Promise<OrderView> {
    let order = await this.ownOrder(outTradeNo, payer);
    const now = this.deps.clock();
    if (
      order.state === 'NOTPAY' &&
      now - order.createdAt >= CONFIRM_AFTER_MS &&
      (await this.deps.orders.claimQuery(this.mchId, outTradeNo, now, QUERY_EVERY_MS))
    ) {
      // WeChat Pay unreachable, or not knowing an order it refused: the ledger's state stands
      const tx = await this.deps.client.queryOrder(outTradeNo).catch((error: unknown) => {
        this.deps.logger.warn(`confirming an unpaid order failed (${(error as Error)?.message ?? 'error'})`);
        return undefined;
      });
      if (tx) await this.settlement.applyTransaction(tx);
      order = (await this.deps.orders.findOrder(this.mchId, outTradeNo)) ?? order;
    }
    return viewOf(order);
  }

  /** Closes an unpaid order with WeChat Pay; closing a closed order again is fine. */
  async close(outTradeNo: string, payer?: Payer): Promise<void> {
    const order = await this.ownOrder(outTradeNo, payer);
    if (order.state === 'CLOSED') return;
    if (order.state !== 'NOTPAY')
      throw new Problem(409, 'ORDER_NOT_CLOSABLE', `this order is ${order.state}`, { state: order.state });
    await this.deps.client.closeOrder(outTradeNo);
    const closed = await this.deps.orders.transition(this.mchId, outTradeNo, ['NOTPAY'], { state: 'CLOSED' }, this.deps.clock());
    if (closed) this.events.payOrder('CLOSED');
  }

  /** Refunds part or all of a paid order; the refunds of an order never pass what was paid. */
  async refund(input: RefundInput): Promise<PayRefund> {
    const { outTradeNo, amount, reason } = input;
    if (!Number.isSafeInteger(amount) || amount < 1)
      throw new Problem(400, 'VALIDATION_FAILED', 'amount must be a whole number of fen, at least 1');
    const outRefundNo = input.outRefundNo ?? `R${createNonce(31)}`;
    const order = await this.deps.orders.findOrder(this.mchId, outTradeNo);
    if (!order) throw notFound();
    const inserted = await this.deps.orders.insertRefund(
      { mchId: this.mchId, outRefundNo, outTradeNo, amount, ...(reason ? { reason } : {}) },
      this.deps.clock(),
    );
    if (inserted.result === 'no-order') throw notFound();
    if (inserted.result === 'exceeds')
      throw new Problem(409, 'REFUND_EXCEEDS_PAID', `at most ${inserted.refundable} fen can be refunded`, {
        refundable: inserted.refundable,
      });
    const refund = inserted.refund;
    if (inserted.result === 'exists') {
      if (refund.outTradeNo !== outTradeNo || refund.amount !== amount)
        throw new Problem(409, 'OUT_REFUND_NO_USED', 'this outRefundNo is taken by another refund');
      if (refund.status !== 'PROCESSING' || refund.refundId) return refund;
    }
    return this.sendRefund(refund, order);
  }

  async getRefund(outRefundNo: string): Promise<PayRefund> {
    const refund = await this.deps.orders.findRefund(this.mchId, outRefundNo);
    if (!refund) throw new Problem(404, 'REFUND_NOT_FOUND', 'no such refund');
    return refund;
  }

  /**
   * Verifies a notification over its raw bytes and decrypts it, applying nothing: 401 (`FAIL`) for a
   * signature, age, serial or probe refused, 400 for a resource that does not decrypt.
   */
  verifyNotification(headers: Readonly<Record<string, string | undefined>>, rawBody: string): PayNotification {
    return readNotification(headers, rawBody, this.deps.keys, this.deps.merchant.apiV3Key, this.deps.clock());
  }

  /**
   * A notification from WeChat Pay, raw: verified (401), decrypted (400), applied once (500 when the
   * ledger or the host's hook fails, so that WeChat Pay repeats it). Resolves when it may answer 204.
   */
  async handleNotification(headers: Readonly<Record<string, string | undefined>>, rawBody: string): Promise<NotificationResult> {
    try {
      const n = this.verifyNotification(headers, rawBody);
      let result: NotificationResult = 'ignored';
      if (n.eventType === 'TRANSACTION.SUCCESS')
        result = await this.settlement.applyTransaction(n.resource as unknown as WechatPayTransaction);
      else if (n.eventType.startsWith('REFUND.'))
        result = await this.settlement.applyRefund(n.resource as unknown as WechatPayRefundNotice);
      const first = await this.deps.orders.recordNotification(n.id, n.eventType, this.deps.clock());
      if (!first && result === 'unchanged') result = 'duplicate';
      this.events.payNotification(result);
      return result;
    } catch (err) {
      const refused = err instanceof Problem && err.statusCode < 500;
      this.events.payNotification(refused ? 'refused' : 'failed');
      if (refused) this.deps.logger.warn(`a pay notification was refused: ${err.message}`);
      if (err instanceof Problem) throw err;
      this.deps.logger.error(`a pay notification could not be applied (${(err as Error)?.name ?? 'error'})`);
      throw new Problem(500, 'FAIL', 'the notification could not be applied; repeat it');
    }
  }

  private async sendRefund(refund: PayRefund, order: PayOrder): Promise<PayRefund> {
    try {
      const answer = await this.deps.client.refund({
        out_trade_no: order.outTradeNo,
        out_refund_no: refund.outRefundNo,
        ...(refund.reason ? { reason: refund.reason } : {}),
        notify_url: this.deps.notifyUrl,
        amount: { refund: refund.amount, total: order.amount, currency: 'CNY' },
      });
      await this.settlement.applyRefund(answer);
    } catch (err) {
      // WeChat Pay refused it outright (and signed its refusal): no refund exists, so it must not count
      if (err instanceof WechatPayError && err.verified)
        await this.deps.orders.updateRefund(this.mchId, refund.outRefundNo, { status: 'CLOSED' }, this.deps.clock());
      throw err;
    }
    return (await this.deps.orders.findRefund(this.mchId, refund.outRefundNo)) ?? refund;
  }

  private async ownOrder(outTradeNo: string, payer?: Payer): Promise<PayOrder> {
    const order = await this.deps.orders.findOrder(this.mchId, outTradeNo);
    if (!order || (payer && (order.appId !== payer.appId || order.openid !== payer.openid))) throw notFound();
    return order;
  }
}

function sameOrder(a: NewPayOrder, b: NewPayOrder): boolean {
  return (
    a.appId === b.appId &&
    a.openid === b.openid &&
    a.description === b.description &&
    a.amount === b.amount &&
    a.attach === b.attach &&
    a.timeExpire === b.timeExpire
  );
}

function viewOf(order: PayOrder): OrderView {
  return {
    outTradeNo: order.outTradeNo,
    state: order.state,
    amount: order.amount,
    ...(order.transactionId ? { transactionId: order.transactionId } : {}),
    ...(order.paidAt ? { paidAt: order.paidAt } : {}),
  };
}
