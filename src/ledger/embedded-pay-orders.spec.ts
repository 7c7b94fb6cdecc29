import { PGlite } from '@electric-sql/pglite';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_MCH, CONTRACT_NOW, contractOrder } from '../../test/support/ledger/contract-fixtures.js';
import { EmbeddedPayOrders, pgliteQueryable, type PgliteLike } from './embedded-pay-orders.js';
import { migratePayLedger, PAY_LEDGER_SCHEMA_VERSION } from './migrations.js';
import { describePayOrdersContract } from '../../test/support/ledger/pay-orders.contract.js';

describePayOrdersContract('EmbeddedPayOrders (PGlite in memory)', {
  open: async () => {
    const ledger = new EmbeddedPayOrders({ schema: 'ledger_contract' });
    // started here, within the contract's start-up time, rather than inside its first test
    await ledger.open();
    return { first: ledger, second: ledger };
  },
  close: async ({ first }) => first.close?.(),
});

/** Starting PGlite (WebAssembly) takes seconds on a loaded machine; these tests start two or three. */
const PGLITE_STARTS = 120_000;

describe('EmbeddedPayOrders', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it(
    'keeps its orders under dataDir from one run to the next',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'pay-ledger-'));
      dirs.push(dataDir);
      const order = contractOrder();
      const before = new EmbeddedPayOrders({ dataDir });
      await before.insertOrder(order, CONTRACT_NOW);
      await before.close();
      await before.close();
      const after = new EmbeddedPayOrders({ dataDir });
      try {
        expect(await after.findOrder(CONTRACT_MCH, order.outTradeNo)).toMatchObject({ amount: 100, state: 'NOTPAY' });
      } finally {
        await after.close();
      }
    },
    PGLITE_STARTS,
  );

  it(
    'runs the migration twice, and twice at once, without error and records its version once',
    async () => {
      const pglite = (await PGlite.create()) as unknown as PgliteLike;
      try {
        const db = pgliteQueryable(pglite);
        await Promise.all([migratePayLedger(db, 'twice'), migratePayLedger(db, 'twice')]);
        await migratePayLedger(db, 'twice');
        const { rows } = await db.query('SELECT version FROM twice.pay_ledger_versions');
        expect(rows).toEqual([{ version: PAY_LEDGER_SCHEMA_VERSION }]);
        const tables = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'twice'");
        expect(tables.rows.map((row) => row.table_name).sort()).toEqual([
          'pay_hooks',
          'pay_ledger_versions',
          'pay_notifications',
          'pay_orders',
          'pay_refunds',
        ]);
      } finally {
        await pglite.close();
      }
    },
    PGLITE_STARTS,
  );

  it(
    'closes its database on close(): a call after it is refused',
    async () => {
      const ledger = new EmbeddedPayOrders();
      await ledger.open();
      await ledger.close();
      await expect(ledger.findOrder(CONTRACT_MCH, 'x')).rejects.toThrow(/closed/);
    },
    PGLITE_STARTS,
  );

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => new EmbeddedPayOrders({ schema: 'x"; DROP TABLE y; --' })).toThrow(/plain identifier/);
  });
});
