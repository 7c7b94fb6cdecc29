import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CONTRACT_MCH, CONTRACT_NOW, contractOrder } from '../../test/support/ledger/contract-fixtures.js';
import { PAY_LEDGER_SCHEMA_VERSION } from './migrations.js';
import { describePayOrdersContract } from '../../test/support/ledger/pay-orders.contract.js';
import { PostgresPayOrders } from './postgres-pay-orders.js';

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
