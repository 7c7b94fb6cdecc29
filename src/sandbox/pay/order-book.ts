import type { SimPrepayRequest } from './jsapi-order.js';
import { randomDecimal, randomHexString } from './pay-crypto.js';
import { SIM_PAY_ERRORS, type SimFailure, type SimResult } from './pay-errors.js';
import { wechatPayStamp } from './pay-fields.js';

export type SimTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface SimOrder {
  request: SimPrepayRequest;
  prepayId: string;
  prepayAt: number;
  createdAt: number;
  expiresAt: number;
  state: SimTradeState;
  transactionId?: string;
  successAt?: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** time_expire is clamped to [order time + 1 min, + 90 days]; without one an unpaid order dies after 7 days. */
const EXPIRE_MIN = MINUTE;
const EXPIRE_MAX = 90 * DAY;
const EXPIRE_DEFAULT = 7 * DAY;
/** A prepay_id is good for 2 hours; an identical repeat after that gets a fresh one. */
export const PREPAY_TTL_MS = 2 * 60 * MINUTE;

/** The merchant's orders keyed by out_trade_no, with WeChat Pay's rules for repeats, expiry and closing. Pure state. */
export class OrderBook {
  private readonly orders = new Map<string, SimOrder>();
  private readonly prepayIds = new Map<string, string>();
  private readonly transactionIds = new Map<string, string>();

  constructor(private readonly now: () => number) {}

  /** A new order, or the same prepay_id for an identical repeat; different parameters are OUT_TRADE_NO_USED. */
  prepay(req: SimPrepayRequest): SimResult<{ prepay_id: string }> {
    const existing = this.get(req.outTradeNo);
    if (!existing) return { ok: true, body: { prepay_id: this.create(req).prepayId } };
    if (existing.request.fingerprint !== req.fingerprint) return SIM_PAY_ERRORS.outTradeNoUsed();
    if (existing.state === 'CLOSED') return SIM_PAY_ERRORS.orderClosed();
    if (existing.state !== 'NOTPAY') return SIM_PAY_ERRORS.orderPaid();
    if (this.now() - existing.prepayAt >= PREPAY_TTL_MS) this.newPrepayId(existing);
    return { ok: true, body: { prepay_id: existing.prepayId } };
  }

  /** The order with its expiry applied: an unpaid order past time_expire reads as CLOSED. */
  get(outTradeNo: string): SimOrder | undefined {
    const order = this.orders.get(outTradeNo);
    if (order?.state === 'NOTPAY' && this.now() >= order.expiresAt) order.state = 'CLOSED';
    return order;
  }

  byTransactionId(transactionId: string): SimOrder | undefined {
    const outTradeNo = this.transactionIds.get(transactionId);
    return outTradeNo === undefined ? undefined : this.get(outTradeNo);
  }

  /** The order a prepay_id was issued for, with whether that id is still the current, unexpired one. */
  byPrepayId(prepayId: string): { order: SimOrder; current: boolean } | undefined {
    const outTradeNo = this.prepayIds.get(prepayId);
    const order = outTradeNo === undefined ? undefined : this.get(outTradeNo);
    if (!order) return undefined;
    return { order, current: order.prepayId === prepayId && this.now() - order.prepayAt < PREPAY_TTL_MS };
  }

  /** Closing an unpaid order (again) succeeds; a paid one cannot be closed. */
  close(outTradeNo: string): SimFailure | undefined {
    const order = this.get(outTradeNo);
    if (!order) return SIM_PAY_ERRORS.orderNotExist();
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return SIM_PAY_ERRORS.orderPaid();
    order.state = 'CLOSED';
    return undefined;
  }

  /** The user paid: SUCCESS with a transaction_id and success time. The caller checks the order is payable. */
  markPaid(order: SimOrder): void {
    const at = this.now();
    const transactionId = `42000${randomDecimal(5)}${wechatPayStamp(at).slice(0, 8)}${randomDecimal(10)}`;
    Object.assign(order, { state: 'SUCCESS', transactionId, successAt: at });
    this.transactionIds.set(transactionId, order.request.outTradeNo);
  }

  private create(req: SimPrepayRequest): SimOrder {
    const createdAt = this.now();
    const wanted = req.timeExpire ?? createdAt + EXPIRE_DEFAULT;
    const expiresAt = Math.min(Math.max(wanted, createdAt + EXPIRE_MIN), createdAt + EXPIRE_MAX);
    const order: SimOrder = { request: req, prepayId: '', prepayAt: 0, createdAt, expiresAt, state: 'NOTPAY' };
    this.orders.set(req.outTradeNo, order);
    this.newPrepayId(order);
    return order;
  }

  private newPrepayId(order: SimOrder): void {
    order.prepayAt = this.now();
    order.prepayId = `wx${wechatPayStamp(order.prepayAt)}${randomHexString(10)}`;
    this.prepayIds.set(order.prepayId, order.request.outTradeNo);
  }
}
