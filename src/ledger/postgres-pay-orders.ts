import type * as Pg from 'pg';
import { loadPeer } from '../core/load-peer.js';
import { Problem } from '../core/problem.js';
import type { Queryable, SqlRow, SqlRunner } from './ledger-sql.js';
import { SqlPayOrders } from './sql-pay-orders.js';

/** One connection taken from a pool, to run a transaction on. */
export interface PgPoolClientLike extends SqlRunner {
  /** `true` (or an error) destroys the connection instead of returning it to the pool */
  release(destroy?: boolean | Error): void;
}

/** What the ledger uses of a `pg.Pool`; a host may hand in its own. */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: SqlRow[] }>;
  connect(): Promise<PgPoolClientLike>;
}

export interface PostgresPayOrdersOptions {
  /** A pool the host owns: the ledger uses it and never ends it. */
  pool?: PgPoolLike;
  /** Or a `postgres://` URL: the ledger makes its own pool (from the optional peer `pg`) and ends it on close(). */
  connectionString?: string;
  /** The schema of the ledger's tables, created when missing; `public` by default. */
  schema?: string;
}

/** A connection that cannot be had within this time fails the call instead of hanging it. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A query PostgreSQL has not answered within this time fails (the connection is then dropped). */
const QUERY_TIMEOUT_MS = 10_000;

/** Unreachable, refusing, timed out or shutting down (SQLSTATE classes 08 and 57): the ledger is unavailable. */
function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  return (
    /^(08|57P)/.test(code) ||
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE)$/.test(code) ||
    /timeout|terminated|Connection terminated/i.test(String(e?.message ?? ''))
  );
}

/** 503 for a database that does not answer (the caller retries; WeChat Pay repeats); any other error as it is. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) throw new Problem(503, 'PAY_LEDGER_UNAVAILABLE', 'the pay ledger (PostgreSQL) did not answer');
    throw error;
  }
}

/** Runs `work` in BEGIN … COMMIT on one connection; a connection whose ROLLBACK failed is destroyed, not reused. */
async function inTransaction<T>(pool: PgPoolLike, work: (tx: SqlRunner) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

async function openPool(connectionString: string): Promise<Pg.Pool> {
  const pg = await loadPeer<typeof Pg>('pg', 'the pay ledger on PostgreSQL (DATABASE_URL)');
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // an idle connection dropped by the server is not fatal: the pool opens a new one on the next call
  pool.on('error', () => {});
  return pool;
}

/** The pay ledger on PostgreSQL through `pg`: every instance of the service shares its rows. */
export class PostgresPayOrders extends SqlPayOrders {
  constructor(options: PostgresPayOrdersOptions) {
    const { pool, connectionString } = options;
    if (!pool && !connectionString) throw new Error('PostgresPayOrders: a pool or a connectionString is required');
    let owned: Promise<Pg.Pool> | undefined;
    const poolOf = async (): Promise<PgPoolLike> => pool ?? (await (owned ??= openPool(connectionString!)));
    const db: Queryable = {
      query: (text, params) => guarded(async () => (await poolOf()).query(text, params ? [...params] : [])),
      transaction: (work) => guarded(async () => inTransaction(await poolOf(), work)),
    };
    super(db, options.schema ?? 'public', async () => {
      if (owned) await (await owned).end();
    });
  }
}
