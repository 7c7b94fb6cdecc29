import { quoteSchema, type Queryable } from './ledger-sql.js';

/** The statements that bring the ledger from `version - 1` to `version`. Append new ones; never edit a shipped one. */
interface LedgerMigration {
  version: number;
  statements(schema: string): string[];
}

const MIGRATIONS: readonly LedgerMigration[] = [
  {
    version: 1,
    statements: (s) => [
      `CREATE TABLE IF NOT EXISTS ${s}.pay_orders (
        mchid text NOT NULL, out_trade_no text NOT NULL, appid text NOT NULL, openid text NOT NULL,
        description text NOT NULL, amount bigint NOT NULL CHECK (amount > 0), attach text, time_expire text,
        state text NOT NULL, prepay_id text, transaction_id text, paid_at text, query_claimed_at bigint,
        created_at bigint NOT NULL, updated_at bigint NOT NULL, PRIMARY KEY (mchid, out_trade_no))`,
      `CREATE TABLE IF NOT EXISTS ${s}.pay_refunds (
        mchid text NOT NULL, out_refund_no text NOT NULL, out_trade_no text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0), reason text, status text NOT NULL, refund_id text,
        success_time text, created_at bigint NOT NULL, updated_at bigint NOT NULL, PRIMARY KEY (mchid, out_refund_no))`,
      `CREATE INDEX IF NOT EXISTS pay_refunds_by_order ON ${s}.pay_refunds (mchid, out_trade_no)`,
      `CREATE TABLE IF NOT EXISTS ${s}.pay_notifications (
        id text PRIMARY KEY, event_type text NOT NULL, applied_at bigint NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${s}.pay_hooks (
        kind text NOT NULL, mchid text NOT NULL, subject text NOT NULL, claimed_at bigint, finished_at bigint,
        PRIMARY KEY (kind, mchid, subject))`,
    ],
  },
];

/** The version of the tables this code reads and writes. */
export const PAY_LEDGER_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Creates or upgrades the ledger's tables in `schema`, idempotently. Two instances starting at once on
 * one database take turns on a transaction-scoped advisory lock, so neither trips over the other's DDL.
 */
export async function migratePayLedger(db: Queryable, schema: string, now = Date.now()): Promise<void> {
  const s = quoteSchema(schema);
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`nest-wechat-h5 pay ledger ${schema}`]);
    // CREATE SCHEMA IF NOT EXISTS still asks for the CREATE privilege: a user without it may use a made schema
    const found = await tx.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rows.length === 0) await tx.query(`CREATE SCHEMA ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.pay_ledger_versions (version integer PRIMARY KEY, applied_at bigint NOT NULL)`,
    );
    const { rows } = await tx.query(`SELECT COALESCE(MAX(version), 0) AS version FROM ${s}.pay_ledger_versions`);
    const current = Number(rows[0]?.version ?? 0);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(s)) await tx.query(statement);
      await tx.query(`INSERT INTO ${s}.pay_ledger_versions (version, applied_at) VALUES ($1, $2)`, [migration.version, now]);
    }
  });
}
