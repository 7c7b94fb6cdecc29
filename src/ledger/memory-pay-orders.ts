import type {
  HookKind,
  NewPayOrder,
  NewPayRefund,
  OrderChange,
  PayOrder,
  PayOrders,
  PayRefund,
  RefundInsert,
  RefundStatus,
  TradeState,
} from '../core/pay/pay-orders.js';
import { assertFen, NEW_REFUND_STATUS, REFUNDABLE_STATES, refundableOf, UNCOUNTED_REFUND_STATUS } from './ledger-rules.js';

interface HookRecord {
  claimedAt?: number;
  finished: boolean;
}

const keyOf = (...parts: string[]) => JSON.stringify(parts);

/** Optional fields given as undefined stay out of the record, as a database's NULL reads back. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The pay ledger in this process's memory, for unit tests of the core: the same rules as the SQL
 * ledgers, each method atomic because it never yields between its check and its write. Not shared
 * between instances and gone on exit, so never for real money.
 */
export class MemoryPayOrders implements PayOrders {
  private readonly orders = new Map<string, PayOrder>();
  private readonly queryClaims = new Map<string, number>();
  private readonly refunds = new Map<string, PayRefund>();
  private readonly hooks = new Map<string, HookRecord>();
  private readonly notifications = new Set<string>();

  async insertOrder(order: NewPayOrder, now: number): Promise<{ created: boolean; order: PayOrder }> {
    assertFen(order.amount, 'an order amount');
    const key = keyOf(order.mchId, order.outTradeNo);
    const existing = this.orders.get(key);
    if (existing) return { created: false, order: { ...existing } };
    const created: PayOrder = defined({ ...order, state: 'NOTPAY', createdAt: now, updatedAt: now });
    this.orders.set(key, created);
    return { created: true, order: { ...created } };
  }

  async findOrder(mchId: string, outTradeNo: string): Promise<PayOrder | undefined> {
    const order = this.orders.get(keyOf(mchId, outTradeNo));
    return order && { ...order };
  }

  async setPrepayId(mchId: string, outTradeNo: string, prepayId: string, now: number): Promise<void> {
    const order = this.orders.get(keyOf(mchId, outTradeNo));
    if (order) Object.assign(order, { prepayId, updatedAt: now });
  }

  async transition(
    mchId: string,
    outTradeNo: string,
    from: readonly TradeState[],
    change: OrderChange,
    now: number,
  ): Promise<PayOrder | undefined> {
    const order = this.orders.get(keyOf(mchId, outTradeNo));
    if (!order || !from.includes(order.state)) return undefined;
    Object.assign(order, defined({ ...change, updatedAt: now }));
    return { ...order };
  }

  async claimQuery(mchId: string, outTradeNo: string, now: number, everyMs: number): Promise<boolean> {
    const key = keyOf(mchId, outTradeNo);
    if (!this.orders.has(key)) return false;
    const claimedAt = this.queryClaims.get(key);
    if (claimedAt !== undefined && claimedAt > now - everyMs) return false;
    this.queryClaims.set(key, now);
    return true;
  }

  async insertRefund(refund: NewPayRefund, now: number): Promise<RefundInsert> {
    assertFen(refund.amount, 'a refund amount');
    const key = keyOf(refund.mchId, refund.outRefundNo);
    const existing = this.refunds.get(key);
    if (existing) return { result: 'exists', refund: { ...existing } };
    const order = this.orders.get(keyOf(refund.mchId, refund.outTradeNo));
    if (!order) return { result: 'no-order' };
    if (!REFUNDABLE_STATES.includes(order.state)) return { result: 'exceeds', refundable: 0 };
    const refundable = refundableOf(order.amount, this.refundedOf(refund.mchId, refund.outTradeNo));
    if (refund.amount > refundable) return { result: 'exceeds', refundable };
    const created: PayRefund = defined({ ...refund, status: NEW_REFUND_STATUS, createdAt: now, updatedAt: now });
    this.refunds.set(key, created);
    return { result: 'created', refund: { ...created } };
  }

  private refundedOf(mchId: string, outTradeNo: string): number {
    let sum = 0;
    for (const refund of this.refunds.values()) {
      const counted = refund.status !== UNCOUNTED_REFUND_STATUS;
      if (counted && refund.mchId === mchId && refund.outTradeNo === outTradeNo) sum += refund.amount;
    }
    return sum;
  }

  async findRefund(mchId: string, outRefundNo: string): Promise<PayRefund | undefined> {
    const refund = this.refunds.get(keyOf(mchId, outRefundNo));
    return refund && { ...refund };
  }

  async updateRefund(
    mchId: string,
    outRefundNo: string,
    change: { status: RefundStatus; refundId?: string; successTime?: string },
    now: number,
  ): Promise<PayRefund | undefined> {
    const refund = this.refunds.get(keyOf(mchId, outRefundNo));
    if (!refund) return undefined;
    Object.assign(refund, defined({ ...change, updatedAt: now }));
    return { ...refund };
  }

  async claimHook(kind: HookKind, mchId: string, subject: string, now: number, leaseMs: number): Promise<boolean> {
    const key = keyOf(kind, mchId, subject);
    const hook = this.hooks.get(key);
    if (hook?.finished) return false;
    if (hook?.claimedAt !== undefined && hook.claimedAt > now - leaseMs) return false;
    this.hooks.set(key, { claimedAt: now, finished: false });
    return true;
  }

  async finishHook(kind: HookKind, mchId: string, subject: string, now: number): Promise<void> {
    const key = keyOf(kind, mchId, subject);
    this.hooks.set(key, { claimedAt: this.hooks.get(key)?.claimedAt ?? now, finished: true });
  }

  async hookDone(kind: HookKind, mchId: string, subject: string): Promise<boolean> {
    return this.hooks.get(keyOf(kind, mchId, subject))?.finished === true;
  }

  async releaseHook(kind: HookKind, mchId: string, subject: string): Promise<void> {
    const hook = this.hooks.get(keyOf(kind, mchId, subject));
    if (hook && !hook.finished) hook.claimedAt = undefined;
  }

  async recordNotification(id: string, _eventType: string, _now: number): Promise<boolean> {
    if (this.notifications.has(id)) return false;
    this.notifications.add(id);
    return true;
  }

  async close(): Promise<void> {}
}
