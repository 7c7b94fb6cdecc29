import type { PayOrder, PayRefund, RefundStatus, TradeState } from '../core/pay/pay-orders.js';

/** One row as a PostgreSQL client hands it over: bigint may come as a string, a number or a bigint. */
export type SqlRow = Record<string, unknown>;

/** Runs one statement with `$n` parameters. */
export interface SqlRunner {
  query(text: string, params?: readonly unknown[]): Promise<{ rows: SqlRow[] }>;
}

/** The little of a PostgreSQL client the ledger needs; pg and PGlite each get a small adapter. */
export interface Queryable extends SqlRunner {
  /** Runs `work` on one connection in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** A schema name is spliced into SQL, so only a plain identifier is accepted. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`pay ledger: the schema must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), not ${JSON.stringify(schema)}`);
  }
  return `"${schema}"`;
}

/** Every statement of the ledger, for the tables in `schema` (the migration creates them). */
export function ledgerStatements(schema: string) {
  const s = quoteSchema(schema);
  const [orders, refunds, notifications, hooks] = ['pay_orders', 'pay_refunds', 'pay_notifications', 'pay_hooks'].map(
    (table) => `${s}.${table}`,
  );
  const order = 'mchid = $1 AND out_trade_no = $2';
  const refund = 'mchid = $1 AND out_refund_no = $2';
  const hook = 'kind = $1 AND mchid = $2 AND subject = $3';
  return {
    insertOrder: `INSERT INTO ${orders} (mchid, out_trade_no, appid, openid, description, amount, attach, time_expire,
      state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
      ON CONFLICT (mchid, out_trade_no) DO NOTHING RETURNING *`,
    findOrder: `SELECT * FROM ${orders} WHERE ${order}`,
    setPrepayId: `UPDATE ${orders} SET prepay_id = $3, updated_at = $4 WHERE ${order}`,
    // the compare-and-set: a row whose state is not in $3 is left alone and nothing comes back
    transition: `UPDATE ${orders} SET state = $4, transaction_id = COALESCE($5, transaction_id),
      paid_at = COALESCE($6, paid_at), updated_at = $7 WHERE ${order} AND state = ANY($3::text[]) RETURNING *`,
    claimQuery: `UPDATE ${orders} SET query_claimed_at = $3 WHERE ${order}
      AND (query_claimed_at IS NULL OR query_claimed_at <= $3::bigint - $4::bigint) RETURNING 1 AS claimed`,
    lockOrder: `SELECT amount, state FROM ${orders} WHERE ${order} FOR UPDATE`,
    refundedOf: `SELECT COALESCE(SUM(amount), 0) AS refunded FROM ${refunds} WHERE ${order} AND status <> $3`,
    insertRefund: `INSERT INTO ${refunds} (mchid, out_refund_no, out_trade_no, amount, reason, status, created_at,
      updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (mchid, out_refund_no) DO NOTHING RETURNING *`,
    findRefund: `SELECT * FROM ${refunds} WHERE ${refund}`,
    updateRefund: `UPDATE ${refunds} SET status = $3, refund_id = COALESCE($4, refund_id),
      success_time = COALESCE($5, success_time), updated_at = $6 WHERE ${refund} RETURNING *`,
    // wins when there is no row yet, or the row is unfinished and its claim is older than the lease
    claimHook: `INSERT INTO ${hooks} AS h (kind, mchid, subject, claimed_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (kind, mchid, subject) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
      WHERE h.finished_at IS NULL AND (h.claimed_at IS NULL OR h.claimed_at <= $4::bigint - $5::bigint)
      RETURNING 1 AS claimed`,
    finishHook: `INSERT INTO ${hooks} AS h (kind, mchid, subject, claimed_at, finished_at) VALUES ($1, $2, $3, $4, $4)
      ON CONFLICT (kind, mchid, subject) DO UPDATE SET finished_at = COALESCE(h.finished_at, EXCLUDED.finished_at)`,
    releaseHook: `UPDATE ${hooks} SET claimed_at = NULL WHERE ${hook} AND finished_at IS NULL`,
    hookDone: `SELECT 1 FROM ${hooks} WHERE ${hook} AND finished_at IS NOT NULL`,
    recordNotification: `INSERT INTO ${notifications} (id, event_type, applied_at) VALUES ($1, $2, $3)
      ON CONFLICT (id) DO NOTHING RETURNING id`,
  } as const;
}

export type LedgerStatements = ReturnType<typeof ledgerStatements>;

/** The row's optional text columns that hold a value, as properties (null stays out: it reads as undefined). */
function present(row: SqlRow, columns: Record<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [column, property] of Object.entries(columns)) {
    if (row[column] != null) found[property] = String(row[column]);
  }
  return found;
}

export function orderFromRow(row: SqlRow): PayOrder {
  return {
    mchId: String(row.mchid),
    outTradeNo: String(row.out_trade_no),
    appId: String(row.appid),
    openid: String(row.openid),
    description: String(row.description),
    amount: Number(row.amount),
    state: String(row.state) as TradeState,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...present(row, {
      attach: 'attach',
      time_expire: 'timeExpire',
      prepay_id: 'prepayId',
      transaction_id: 'transactionId',
      paid_at: 'paidAt',
    }),
  };
}

export function refundFromRow(row: SqlRow): PayRefund {
  return {
    mchId: String(row.mchid),
    outRefundNo: String(row.out_refund_no),
    outTradeNo: String(row.out_trade_no),
    amount: Number(row.amount),
    status: String(row.status) as RefundStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...present(row, { reason: 'reason', refund_id: 'refundId', success_time: 'successTime' }),
  };
}
