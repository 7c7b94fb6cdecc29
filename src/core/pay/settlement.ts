import type { Clock, Logger } from '../ports.js';
import { Problem } from '../problem.js';
import type { HookKind, OrderChange, PayOrder, PayOrders, PayRefund, RefundStatus, TradeState } from './pay-orders.js';
import type { WechatPayRefund, WechatPayRefundNotice, WechatPayTransaction } from './wechatpay-types.js';

/** What the host runs once per paid order and once per refund that succeeded. */
export interface PayHooks {
  onPaid?(order: PayOrder): Promise<void> | void;
  onRefunded?(refund: PayRefund, order: PayOrder | undefined): Promise<void> | void;
}

/** A hook that died mid-way is run again on a later repeat after this long. */
const HOOK_LEASE_MS = 60_000;
/** How long a copy waits for another instance's hook to finish before asking WeChat Pay to repeat (40 × 100 ms). */
const HOOK_POLL_MS = 100;
const HOOK_WAIT_POLLS = 40;
/** States from which WeChat Pay's word "paid" moves an order to SUCCESS (a close can race a payment). */
const PAYABLE: readonly TradeState[] = ['NOTPAY', 'USERPAYING', 'PAYERROR', 'CLOSED'];
const REFUND_STATES = new Set<RefundStatus>(['PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL']);
const FINAL_REFUND = new Set<RefundStatus>(['SUCCESS', 'CLOSED']);

export type SettleResult = 'applied' | 'unchanged' | 'review' | 'unknown-order';

/**
 * Applies what WeChat Pay says about an order or a refund to the ledger, idempotently and once
 * across instances: the ledger's compare-and-set decides which instance writes, and a hook claim
 * which instance runs the host's hook. WeChat Pay's word is checked against the recorded order:
 * another appid, mchid or amount is never marked paid, it goes to REVIEW.
 */
export class Settlement {
  constructor(
    private readonly mchId: string,
    private readonly orders: PayOrders,
    private readonly hooks: PayHooks,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly stateChanged: (state: TradeState) => void = () => undefined,
  ) {}

  async applyTransaction(tx: WechatPayTransaction): Promise<SettleResult> {
    const order = await this.orders.findOrder(this.mchId, tx.out_trade_no);
    if (!order) {
      this.logger.warn(`WeChat Pay told of an order this ledger does not hold (mchid ${tx.mchid})`);
      return 'unknown-order';
    }
    if (tx.trade_state === 'SUCCESS') return this.applyPaid(order, tx);
    if (tx.trade_state === 'CLOSED' || tx.trade_state === 'REVOKED' || tx.trade_state === 'PAYERROR') {
      const moved = await this.move(order, ['NOTPAY', 'USERPAYING'], { state: tx.trade_state });
      return moved ? 'applied' : 'unchanged';
    }
    return 'unchanged';
  }

  async applyRefund(notice: WechatPayRefundNotice | WechatPayRefund): Promise<SettleResult> {
    const status = ('refund_status' in notice ? notice.refund_status : notice.status) as RefundStatus;
    if (!REFUND_STATES.has(status)) return 'unchanged';
    // SUCCESS and CLOSED are final: a late or repeated word (PROCESSING after SUCCESS) changes nothing
    const known = await this.orders.findRefund(this.mchId, notice.out_refund_no);
    if (known && FINAL_REFUND.has(known.status) && known.status !== status) return 'unchanged';
    const refund = await this.orders.updateRefund(
      this.mchId,
      notice.out_refund_no,
      { status, refundId: notice.refund_id, successTime: notice.success_time },
      this.clock(),
    );
    if (!refund) {
      this.logger.warn('WeChat Pay told of a refund this ledger does not hold');
      return 'unknown-order';
    }
    if (status !== 'SUCCESS') return 'applied';
    const order = await this.orders.findOrder(this.mchId, refund.outTradeNo);
    if (order) await this.move(order, ['SUCCESS'], { state: 'REFUND' });
    const hook = this.hooks.onRefunded;
    if (hook) await this.once('refunded', refund.outRefundNo, () => hook(refund, order));
    return 'applied';
  }

  private async applyPaid(order: PayOrder, tx: WechatPayTransaction): Promise<SettleResult> {
    const mismatch = mismatchOf(order, tx, this.mchId);
    if (mismatch) {
      this.logger.warn(`WeChat Pay says order is paid, but its ${mismatch} differs from the recorded order: REVIEW`);
      await this.move(order, PAYABLE, { state: 'REVIEW' });
      return 'review';
    }
    const paid = await this.move(order, PAYABLE, {
      state: 'SUCCESS',
      transactionId: tx.transaction_id,
      paidAt: tx.success_time,
    });
    const current = paid ?? (await this.orders.findOrder(this.mchId, order.outTradeNo));
    if (!current || (current.state !== 'SUCCESS' && current.state !== 'REFUND')) return 'unchanged';
    const hook = this.hooks.onPaid;
    if (hook) await this.once('paid', current.outTradeNo, () => hook(current));
    return paid ? 'applied' : 'unchanged';
  }

  private async move(order: PayOrder, from: readonly TradeState[], change: OrderChange) {
    const moved = await this.orders.transition(this.mchId, order.outTradeNo, from, change, this.clock());
    if (moved) this.stateChanged(moved.state);
    return moved;
  }

  /**
   * Runs the host's hook once across instances. Another instance's copy of the notification waits for
   * the claimer to finish (or takes over a released claim) before it answers: a 204 for a hook that
   * later failed would let WeChat Pay stop repeating. A failure gives the claim back and answers 500.
   */
  private async once(kind: HookKind, subject: string, run: () => Promise<void> | void): Promise<void> {
    for (let poll = 0; ; poll++) {
      if (await this.orders.claimHook(kind, this.mchId, subject, this.clock(), HOOK_LEASE_MS)) break;
      if (await this.orders.hookDone(kind, this.mchId, subject)) return;
      if (poll >= HOOK_WAIT_POLLS) throw new Problem(503, 'FAIL', `the ${kind} hook is still running elsewhere; repeat`);
      await new Promise((resolve) => setTimeout(resolve, HOOK_POLL_MS));
    }
    try {
      await run();
    } catch (err) {
      await this.orders.releaseHook(kind, this.mchId, subject);
      this.logger.error(`the host's ${kind} hook failed (${(err as Error)?.name ?? 'error'}); WeChat Pay will repeat`);
      throw new Problem(500, 'FAIL', `the ${kind} hook failed`);
    }
    await this.orders.finishHook(kind, this.mchId, subject, this.clock());
  }
}

/** Which of appid, mchid and amount WeChat Pay's transaction disagrees on, if any. */
function mismatchOf(order: PayOrder, tx: WechatPayTransaction, mchId: string): string | undefined {
  if (tx.appid !== order.appId) return 'appid';
  if (tx.mchid !== mchId) return 'mchid';
  if (tx.amount?.total !== order.amount) return 'amount';
  return undefined;
}
