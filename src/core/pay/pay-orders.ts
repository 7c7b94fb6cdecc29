/**
 * The pay ledger's port: where orders, refunds and the notifications already applied are kept. Orders
 * are money, so this is a database (PostgreSQL, or its embedded twin in development), never a cache
 * that may evict. A host may hand in its own implementation; every method must be atomic on its own,
 * across every instance of the service, because WeChat Pay repeats a notification for 24 hours and
 * may deliver two copies within a second to two servers.
 */

/** WeChat Pay's `trade_state`, plus REVIEW: a notification that did not match the recorded order. */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'REVIEW';

/** WeChat Pay's refund `status`. */
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

/** An order as the page asked for it, before WeChat Pay knows it. */
export interface NewPayOrder {
  mchId: string;
  outTradeNo: string;
  appId: string;
  openid: string;
  description: string;
  /** fen (分), an integer ≥ 1 */
  amount: number;
  attach?: string;
  /** RFC 3339 */
  timeExpire?: string;
}

export interface PayOrder extends NewPayOrder {
  state: TradeState;
  /** `prepay_id` once WeChat Pay accepted the order */
  prepayId?: string;
  transactionId?: string;
  /** WeChat Pay's `success_time` (RFC 3339) */
  paidAt?: string;
  /** ms since the epoch */
  createdAt: number;
  updatedAt: number;
}

export interface NewPayRefund {
  mchId: string;
  outRefundNo: string;
  outTradeNo: string;
  /** fen */
  amount: number;
  reason?: string;
}

export interface PayRefund extends NewPayRefund {
  status: RefundStatus;
  refundId?: string;
  successTime?: string;
  createdAt: number;
  updatedAt: number;
}

/** What a state change writes besides the state. */
export interface OrderChange {
  state: TradeState;
  transactionId?: string;
  paidAt?: string;
}

/** The hooks that must run once: `paid` per order, `refunded` per refund. */
export type HookKind = 'paid' | 'refunded';

export type RefundInsert =
  | { result: 'created'; refund: PayRefund }
  /** this outRefundNo exists already (the existing refund) */
  | { result: 'exists'; refund: PayRefund }
  /** the order is not paid, or the refunds not closed would pass what was paid */
  | { result: 'exceeds'; refundable: number }
  | { result: 'no-order' };

export interface PayOrders {
  /**
   * Records a new order in state NOTPAY. When (mchId, outTradeNo) is taken already, nothing is
   * written and the existing order comes back with `created: false`.
   */
  insertOrder(order: NewPayOrder, now: number): Promise<{ created: boolean; order: PayOrder }>;

  findOrder(mchId: string, outTradeNo: string): Promise<PayOrder | undefined>;

  /** Remembers the prepay_id WeChat Pay answered for the order. */
  setPrepayId(mchId: string, outTradeNo: string, prepayId: string, now: number): Promise<void>;

  /**
   * Compare-and-set: writes `change` only when the order's state is one of `from`. Returns the
   * order as written, or undefined when its state was not in `from` (or there is no such order).
   * Two instances applying one notification at once: exactly one of them gets the order back.
   */
  transition(
    mchId: string,
    outTradeNo: string,
    from: readonly TradeState[],
    change: OrderChange,
    now: number,
  ): Promise<PayOrder | undefined>;

  /**
   * Claims the right to ask WeChat Pay about the order: true for one caller per `everyMs` per
   * order, false for every other caller in that time.
   */
  claimQuery(mchId: string, outTradeNo: string, now: number, everyMs: number): Promise<boolean>;

  /**
   * Records a refund when (mchId, outRefundNo) is new and the order is paid and the sum of its
   * refunds not CLOSED, with this one, stays within the order's amount; all in one atomic step.
   */
  insertRefund(refund: NewPayRefund, now: number): Promise<RefundInsert>;

  findRefund(mchId: string, outRefundNo: string): Promise<PayRefund | undefined>;

  /** Writes WeChat Pay's word on a refund; returns the refund as written, undefined when unknown. */
  updateRefund(
    mchId: string,
    outRefundNo: string,
    change: { status: RefundStatus; refundId?: string; successTime?: string },
    now: number,
  ): Promise<PayRefund | undefined>;

  /**
   * The host's hook for `subject` (an outTradeNo for `paid`, an outRefundNo for `refunded`) must run
   * once. `claimHook` answers true to one caller (and again only after `leaseMs` without a
   * `finishHook`, when that caller died); `finishHook` marks it done for good; `releaseHook` gives
   * the claim back after the hook failed, so that WeChat's next repeat runs it again.
   */
  claimHook(kind: HookKind, mchId: string, subject: string, now: number, leaseMs: number): Promise<boolean>;
  finishHook(kind: HookKind, mchId: string, subject: string, now: number): Promise<void>;
  releaseHook(kind: HookKind, mchId: string, subject: string): Promise<void>;
  /** Whether `finishHook` was called for it: another instance waits on this while the claimer runs the hook. */
  hookDone(kind: HookKind, mchId: string, subject: string): Promise<boolean>;

  /**
   * Records that the notification `id` was applied (after it was, never before: a failed attempt
   * must be applied again on WeChat Pay's next repeat). True the first time, false for a repeat.
   */
  recordNotification(id: string, eventType: string, now: number): Promise<boolean>;

  /** Makes the ledger ready now (its tables migrated) rather than on first use; optional. */
  open?(): Promise<void>;

  /** Closes what the ledger holds open (a pool, an embedded database); idempotent. */
  close?(): Promise<void>;
}

/** The ledger's records, under the port's own name (`PayOrders.Order`, `PayOrders.Refund`, ...) for hosts that write one. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace PayOrders {
  export type Order = PayOrder;
  export type NewOrder = NewPayOrder;
  export type Refund = PayRefund;
  export type NewRefund = NewPayRefund;
  export type State = TradeState;
  export type RefundState = RefundStatus;
  export type Change = OrderChange;
  export type Hook = HookKind;
  export type RefundResult = RefundInsert;
}
