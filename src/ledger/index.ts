import type { PayOrders } from '../core/pay/pay-orders.js';
import { EmbeddedPayOrders } from './embedded-pay-orders.js';
import { PostgresPayOrders } from './postgres-pay-orders.js';

export { EmbeddedPayOrders, pgliteQueryable, type EmbeddedPayOrdersOptions } from './embedded-pay-orders.js';
export { MemoryPayOrders } from './memory-pay-orders.js';
export { migratePayLedger, PAY_LEDGER_SCHEMA_VERSION } from './migrations.js';
export { PostgresPayOrders, type PgPoolLike, type PostgresPayOrdersOptions } from './postgres-pay-orders.js';

export interface PayLedgerOptions {
  /** PostgreSQL (`DATABASE_URL`): the ledger every instance shares. */
  databaseUrl?: string;
  /** The schema of the ledger's tables; `public` by default. */
  schema?: string;
  /** Where the embedded ledger keeps its files (`PAY_LEDGER_DIR`); in memory when absent. */
  dataDir?: string;
  production: boolean;
}

/**
 * Orders are money: PostgreSQL when a database is named; the embedded PGlite ledger only outside
 * production, since it lives in one process (and in memory unless given a directory).
 */
export function createPayLedger(options: PayLedgerOptions): PayOrders {
  const { databaseUrl, schema, dataDir, production } = options;
  if (databaseUrl) return new PostgresPayOrders({ connectionString: databaseUrl, schema });
  if (production) {
    throw new Error(
      'WeChat Pay in production needs DATABASE_URL (PostgreSQL) for its ledger of orders and refunds, or a PayOrders of the host',
    );
  }
  return new EmbeddedPayOrders({ dataDir, schema });
}
