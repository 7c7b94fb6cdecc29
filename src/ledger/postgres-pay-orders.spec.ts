import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CONTRACT_MCH, CONTRACT_NOW, contractOrder } from '../../test/support/ledger/contract-fixtures.js';
import { PAY_LEDGER_SCHEMA_VERSION } from './migrations.js';
import { describePayOrdersContract } from '../../test/support/ledger/pay-orders.contract.js';
import type { SqlRow } from './ledger-sql.js';
import { type PgPoolLike, PostgresPayOrders } from './postgres-pay-orders.js';

// a real PostgreSQL: each run works in schemas of its own and drops them at the end
const DATABASE_URL = process.env.PAY_LEDGER_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schemaName = (what: string) => `ledger_${what}_${randomBytes(6).toString('hex')}`;
const made: string[] = [];
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });

afterAll(async () => {
  for (const schema of made) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** Two instances of the service: one with its own pool from the URL, one on a pool its host made. */
const hostPool = new pg.Pool({ connectionString: DATABASE_URL });
describePayOrdersContract('PostgresPayOrders', {
  open: async () => {
    const schema = schemaName('contract');
    made.push(schema);
    const first = new PostgresPayOrders({ connectionString: DATABASE_URL, schema });
    return { first, second: new PostgresPayOrders({ pool: hostPool, schema }) };
  },
  close: async ({ first, second }) => {
    await Promise.all([first.close?.(), second.close?.()]);
    await hostPool.end();
  },
});

describe('PostgresPayOrders on a new database', () => {
  it('migrates when two instances start at once, and again when one starts later', async () => {
    const schema = schemaName('migrate');
    made.push(schema);
    const instances = [1, 2, 3].map(() => new PostgresPayOrders({ connectionString: DATABASE_URL, schema }));
    try {
      const order = contractOrder();
      await Promise.all([instances[0]!.insertOrder(order, CONTRACT_NOW), instances[1]!.findOrder(CONTRACT_MCH, 'x')]);
      expect(await instances[2]!.findOrder(CONTRACT_MCH, order.outTradeNo)).toMatchObject({ state: 'NOTPAY' });
      const { rows } = await admin.query(`SELECT version FROM "${schema}".pay_ledger_versions`);
      expect(rows).toEqual([{ version: PAY_LEDGER_SCHEMA_VERSION }]);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it("keeps amounts and times as numbers, and never ends the host's pool", async () => {
    const schema = schemaName('types');
    made.push(schema);
    const hostPool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    const ledger = new PostgresPayOrders({ pool: hostPool, schema });
    const order = contractOrder({ amount: 2 ** 40 });
    const { order: written } = await ledger.insertOrder(order, CONTRACT_NOW);
    expect([typeof written.amount, written.amount, written.createdAt]).toEqual(['number', 2 ** 40, CONTRACT_NOW]);
    await ledger.close();
    await expect(hostPool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await hostPool.end();
  });

  it('ends the pool it made on close(): a call after it is refused', async () => {
    const schema = schemaName('close');
    made.push(schema);
    const ledger = new PostgresPayOrders({ connectionString: DATABASE_URL, schema });
    await ledger.open();
    await ledger.close();
    await expect(ledger.findOrder(CONTRACT_MCH, 'x')).rejects.toThrow(/after calling end on the pool/);
  });

  it('fails a call, not the process, when the database cannot be reached', async () => {
    const ledger = new PostgresPayOrders({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(ledger.findOrder(CONTRACT_MCH, 'x')).rejects.toThrow();
    await ledger.close();
  });

  it('needs a pool or a connection string', () => {
    expect(() => new PostgresPayOrders({})).toThrow(/connectionString/);
  });
});

describe('a PostgreSQL that does not answer', () => {
  it('fails the call within the bound with 503 PAY_LEDGER_UNAVAILABLE, never hanging it', async () => {
    const ledger = new PostgresPayOrders({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    const started = Date.now();
    await expect(ledger.findOrder('1900000109', 'order_000001')).rejects.toMatchObject({
      statusCode: 503,
      code: 'PAY_LEDGER_UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(6_000);
    await ledger.close();
  });
});

/**
 * A pool at the PgPoolLike seam: `connect` fails with `refusal` when one is given; otherwise each statement of
 * its connection fails with what `fails` answers for it, or gives rows as tables at the current version would.
 * What each connection is released with is kept.
 */
function fakePool(options: { refusal?: { error: unknown }; fails?: (text: string) => unknown }) {
  const released: (boolean | Error | undefined)[] = [];
  const rowsOf = (text: string): SqlRow[] => {
    if (/FROM pg_namespace/.test(text)) return [{ '?column?': 1 }];
    if (/MAX\(version\)/.test(text)) return [{ version: PAY_LEDGER_SCHEMA_VERSION }];
    return [];
  };
  const run = async (text: string) => {
    const failure = options.fails?.(text);
    if (failure !== undefined) throw failure;
    return { rows: rowsOf(text) };
  };
  const pool: PgPoolLike = {
    query: run,
    connect: async () => {
      if (options.refusal) throw options.refusal.error;
      return { query: run, release: (destroy) => void released.push(destroy) };
    },
  };
  return { pool, released };
}

describe('PostgresPayOrders: what counts as the database not answering', () => {
  const refusedWith = (error: unknown) =>
    new PostgresPayOrders({ pool: fakePool({ refusal: { error } }).pool }).findOrder(CONTRACT_MCH, 'x');
  const unavailable = { statusCode: 503, code: 'PAY_LEDGER_UNAVAILABLE' };

  it('answers 503 for SQLSTATE classes 08 and 57P, a refused or dropped socket, or a timeout', async () => {
    const errors = [
      { code: '08006', message: 'connection failure' },
      { code: '57P01', message: 'terminating connection due to administrator command' },
      ...['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE'].map((code) => ({
        code,
        message: code,
      })),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read TIMEOUT'),
    ];
    for (const error of errors) await expect(refusedWith(error)).rejects.toMatchObject(unavailable);
  });

  // any other error is the caller's to see as it is: a 503 would have WeChat Pay repeat what cannot succeed
  it('passes any other error through as it is, a SQLSTATE or code only matching in part included', async () => {
    const errors = [
      { code: '42501', message: 'permission denied for schema ledger' },
      { code: '22008', message: 'date/time field value out of range' },
      { code: '2257P', message: 'not a class 57 state' },
      { code: 'XECONNREFUSED', message: 'not a socket code' },
      { code: 'ECONNREFUSED_BY_HOST', message: 'not a socket code' },
      { code: 8006, message: 'a code that is not text' },
      null,
      undefined,
    ];
    for (const error of errors) {
      const seen = await refusedWith(error).then(
        () => 'resolved',
        (e: unknown) => e,
      );
      expect(seen).toBe(error);
    }
  });
});

describe('PostgresPayOrders: the connection of a transaction', () => {
  it('returns the connection to the pool after a COMMIT', async () => {
    const { pool, released } = fakePool({});
    await expect(new PostgresPayOrders({ pool }).findOrder(CONTRACT_MCH, 'x')).resolves.toBeUndefined();
    expect(released).toEqual([false]);
  });

  it('returns the connection after a failed transaction whose ROLLBACK worked', async () => {
    const denied = { code: '42501', message: 'permission denied' };
    const { pool, released } = fakePool({ fails: (text) => (/pg_advisory_xact_lock/.test(text) ? denied : undefined) });
    await expect(new PostgresPayOrders({ pool }).findOrder(CONTRACT_MCH, 'x')).rejects.toBe(denied);
    expect(released).toEqual([false]);
  });

  // a connection that could not roll back may still be inside the transaction: it is never handed out again
  it('destroys the connection when the ROLLBACK failed too, and reports the first error', async () => {
    const denied = { code: '42501', message: 'permission denied' };
    const fails = (text: string) =>
      /pg_advisory_xact_lock/.test(text) ? denied : text === 'ROLLBACK' ? new Error('gone') : undefined;
    const { pool, released } = fakePool({ fails });
    await expect(new PostgresPayOrders({ pool }).findOrder(CONTRACT_MCH, 'x')).rejects.toBe(denied);
    expect(released).toEqual([true]);
  });
});
