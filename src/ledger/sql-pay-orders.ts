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
import {
  ledgerStatements,
  orderFromRow,
  refundFromRow,
  type LedgerStatements,
  type Queryable,
  type SqlRunner,
} from './ledger-sql.js';
import { assertFen, NEW_REFUND_STATUS, REFUNDABLE_STATES, refundableOf, UNCOUNTED_REFUND_STATUS } from './ledger-rules.js';
import { migratePayLedger } from './migrations.js';

/**
 * The ledger on PostgreSQL's SQL, whichever client runs it (pg or PGlite). Each method is one atomic
 * statement, or one transaction holding the order's row lock, so instances sharing a database agree.
 * The tables are migrated once per instance, before the first statement.
 */
export class SqlPayOrders implements PayOrders {
  private readonly sql: LedgerStatements;
  private migrated?: Promise<void>;
  private closed?: Promise<void>;

  constructor(
    private readonly db: Queryable,
    private readonly schema: string,
    private readonly release: () => Promise<void> = async () => {},
  ) {
    this.sql = ledgerStatements(schema);
  }

  /** Migrates on first use; a failed attempt is tried again by the next call. */
  private ready(): Promise<void> {
    this.migrated ??= migratePayLedger(this.db, this.schema).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  private async run(text: string, params: readonly unknown[]) {
    await this.ready();
    return (await this.db.query(text, params)).rows;
  }

  async insertOrder(order: NewPayOrder, now: number): Promise<{ created: boolean; order: PayOrder }> {
    assertFen(order.amount, 'an order amount');
    const [row] = await this.run(this.sql.insertOrder, [
      order.mchId,
      order.outTradeNo,
      order.appId,
      order.openid,
      order.description,
      order.amount,
      order.attach ?? null,
      order.timeExpire ?? null,
      'NOTPAY' satisfies TradeState,
      now,
    ]);
    if (row) return { created: true, order: orderFromRow(row) };
    const existing = await this.findOrder(order.mchId, order.outTradeNo);
    if (!existing) throw new Error(`pay ledger: order ${order.outTradeNo} neither inserted nor found`);
    return { created: false, order: existing };
  }

  async findOrder(mchId: string, outTradeNo: string): Promise<PayOrder | undefined> {
    const [row] = await this.run(this.sql.findOrder, [mchId, outTradeNo]);
    return row && orderFromRow(row);
  }

  async setPrepayId(mchId: string, outTradeNo: string, prepayId: string, now: number): Promise<void> {
    await this.run(this.sql.setPrepayId, [mchId, outTradeNo, prepayId, now]);
  }

  async transition(
    mchId: string,
    outTradeNo: string,
    from: readonly TradeState[],
    change: OrderChange,
    now: number,
  ): Promise<PayOrder | undefined> {
    const { state, transactionId, paidAt } = change;
    const params = [mchId, outTradeNo, [...from], state, transactionId ?? null, paidAt ?? null, now];
    const [row] = await this.run(this.sql.transition, params);
    return row && orderFromRow(row);
  }

  async claimQuery(mchId: string, outTradeNo: string, now: number, everyMs: number): Promise<boolean> {
    return (await this.run(this.sql.claimQuery, [mchId, outTradeNo, now, everyMs])).length > 0;
  }

  async insertRefund(refund: NewPayRefund, now: number): Promise<RefundInsert> {
    assertFen(refund.amount, 'a refund amount');
    await this.ready();
    return this.db.transaction(async (tx) => {
      // the order's row lock makes the check and the insert one step for every refund of this order
      const [order] = (await tx.query(this.sql.lockOrder, [refund.mchId, refund.outTradeNo])).rows;
      const existing = await this.refundIn(tx, refund.mchId, refund.outRefundNo);
      if (existing) return { result: 'exists', refund: existing };
      if (!order) return { result: 'no-order' };
      if (!REFUNDABLE_STATES.includes(String(order.state) as TradeState)) return { result: 'exceeds', refundable: 0 };
      const sums = await tx.query(this.sql.refundedOf, [refund.mchId, refund.outTradeNo, UNCOUNTED_REFUND_STATUS]);
      const refundable = refundableOf(Number(order.amount), Number(sums.rows[0]?.refunded ?? 0));
      if (refund.amount > refundable) return { result: 'exceeds', refundable };
      const { mchId, outRefundNo, outTradeNo, amount, reason } = refund;
      const params = [mchId, outRefundNo, outTradeNo, amount, reason ?? null, NEW_REFUND_STATUS, now];
      const [row] = (await tx.query(this.sql.insertRefund, params)).rows;
      if (row) return { result: 'created', refund: refundFromRow(row) };
      // the same outRefundNo was committed just now for another order, whose lock this one does not hold
      const raced = await this.refundIn(tx, mchId, outRefundNo);
      if (!raced) throw new Error(`pay ledger: refund ${outRefundNo} neither inserted nor found`);
      return { result: 'exists', refund: raced };
    });
  }

  private async refundIn(tx: SqlRunner, mchId: string, outRefundNo: string): Promise<PayRefund | undefined> {
    const [row] = (await tx.query(this.sql.findRefund, [mchId, outRefundNo])).rows;
    return row && refundFromRow(row);
  }

  async findRefund(mchId: string, outRefundNo: string): Promise<PayRefund | undefined> {
    await this.ready();
    return this.refundIn(this.db, mchId, outRefundNo);
  }

  async updateRefund(
    mchId: string,
    outRefundNo: string,
    change: { status: RefundStatus; refundId?: string; successTime?: string },
    now: number,
  ): Promise<PayRefund | undefined> {
    const params = [mchId, outRefundNo, change.status, change.refundId ?? null, change.successTime ?? null, now];
    const [row] = await this.run(this.sql.updateRefund, params);
    return row && refundFromRow(row);
  }

  async claimHook(kind: HookKind, mchId: string, subject: string, now: number, leaseMs: number): Promise<boolean> {
    return (await this.run(this.sql.claimHook, [kind, mchId, subject, now, leaseMs])).length > 0;
  }

  async finishHook(kind: HookKind, mchId: string, subject: string, now: number): Promise<void> {
    await this.run(this.sql.finishHook, [kind, mchId, subject, now]);
  }

  async releaseHook(kind: HookKind, mchId: string, subject: string): Promise<void> {
    await this.run(this.sql.releaseHook, [kind, mchId, subject]);
  }

  async hookDone(kind: HookKind, mchId: string, subject: string): Promise<boolean> {
    return (await this.run(this.sql.hookDone, [kind, mchId, subject])).length > 0;
  }

  /** Migrates the tables now (the service does at start on PostgreSQL), instead of before the first statement. */
  async open(): Promise<void> {
    await this.ready();
  }

  async recordNotification(id: string, eventType: string, now: number): Promise<boolean> {
    return (await this.run(this.sql.recordNotification, [id, eventType, now])).length > 0;
  }

  /** Releases the connection(s) once; later calls wait for the same release. */
  close(): Promise<void> {
    this.closed ??= this.release();
    return this.closed;
  }
}
