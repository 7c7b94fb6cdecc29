import { loadPeer } from '../core/load-peer.js';
import type { Queryable, SqlRow, SqlRunner } from './ledger-sql.js';
import { SqlPayOrders } from './sql-pay-orders.js';

/** What the ledger uses of a PGlite database (`@electric-sql/pglite`). */
export interface PgliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  transaction<T>(work: (tx: PgliteLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface PgliteModule {
  PGlite: { create(dataDir?: string): Promise<PgliteLike> };
}

export interface EmbeddedPayOrdersOptions {
  /** A directory that keeps the ledger between runs (`PAY_LEDGER_DIR`); in memory when absent. */
  dataDir?: string;
  /** The schema of the ledger's tables; `public` by default. */
  schema?: string;
}

/** PGlite's rows are plain objects; `transaction` hands its own handle to `work`. */
export function pgliteQueryable(db: PgliteLike): Queryable {
  const runner = (handle: PgliteLike): SqlRunner => ({
    query: async (text, params) => ({ rows: (await handle.query(text, params ? [...params] : [])).rows as SqlRow[] }),
  });
  return { ...runner(db), transaction: (work) => db.transaction((tx) => work(runner(tx))) };
}

async function openPglite(dataDir: string | undefined): Promise<PgliteLike> {
  const { PGlite } = await loadPeer<PgliteModule>('@electric-sql/pglite', 'the embedded pay ledger (no DATABASE_URL)');
  return PGlite.create(dataDir);
}

/**
 * The pay ledger on PGlite, PostgreSQL compiled to WebAssembly: the same SQL as PostgresPayOrders in
 * this process, for development without a database server. It starts on first use (a start takes
 * seconds), so the service starts as quickly without it. One process only: it is not shared.
 */
export class EmbeddedPayOrders extends SqlPayOrders {
  constructor(options: EmbeddedPayOrdersOptions = {}) {
    let opened: Promise<PgliteLike> | undefined;
    const database = async (): Promise<Queryable> => {
      opened ??= openPglite(options.dataDir).catch((error: unknown) => {
        opened = undefined;
        throw error;
      });
      return pgliteQueryable(await opened);
    };
    const db: Queryable = {
      query: async (text, params) => (await database()).query(text, params),
      transaction: async (work) => (await database()).transaction(work),
    };
    super(db, options.schema ?? 'public', async () => {
      if (opened) await (await opened).close();
    });
  }
}
