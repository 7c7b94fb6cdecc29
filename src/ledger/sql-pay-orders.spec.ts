import { CONTRACT_MCH, CONTRACT_NOW } from '../../test/support/ledger/contract-fixtures.js';
import { ledgerStatements, type Queryable, type SqlRow, type SqlRunner } from './ledger-sql.js';
import { PAY_LEDGER_SCHEMA_VERSION } from './migrations.js';
import { SqlPayOrders } from './sql-pay-orders.js';

const sql = ledgerStatements('public');

/**
 * A database at the Queryable seam whose tables are already at the current version: `answer` gives the
 * rows of each ledger statement; `transactions` counts the transactions begun (the migration runs in one).
 */
function scriptedDb(answer: (text: string, params: readonly unknown[]) => SqlRow[] = () => []) {
  const seen = { transactions: 0, failNextTransaction: undefined as Error | undefined };
  const runner: SqlRunner = {
    query: async (text, params = []) => {
      if (/FROM pg_namespace/.test(text)) return { rows: [{ '?column?': 1 }] };
      if (/MAX\(version\)/.test(text)) return { rows: [{ version: PAY_LEDGER_SCHEMA_VERSION }] };
      return { rows: answer(text, params) };
    },
  };
  const db: Queryable = {
    ...runner,
    transaction: async (work) => {
      seen.transactions++;
      const failure = seen.failNextTransaction;
      seen.failNextTransaction = undefined;
      if (failure) throw failure;
      return work(runner);
    },
  };
  return { db, seen };
}

describe('SqlPayOrders', () => {
  it('migrates once before the first statement, however many follow', async () => {
    const { db, seen } = scriptedDb();
    const ledger = new SqlPayOrders(db, 'public');
    await Promise.all([ledger.findOrder(CONTRACT_MCH, 'T1'), ledger.findOrder(CONTRACT_MCH, 'T2')]);
    await ledger.findRefund(CONTRACT_MCH, 'R1');
    expect(seen.transactions).toBe(1);
  });

  // a migration that failed fails the call that waited on it, and is not remembered as done
  it('fails the call whose migration failed, and migrates again on the next call', async () => {
    const { db, seen } = scriptedDb();
    seen.failNextTransaction = new Error('the database is starting up');
    const ledger = new SqlPayOrders(db, 'public');
    await expect(ledger.findOrder(CONTRACT_MCH, 'T1')).rejects.toThrow('the database is starting up');
    await expect(ledger.findOrder(CONTRACT_MCH, 'T1')).resolves.toBeUndefined();
    expect(seen.transactions).toBe(2);
  });

  it('refunds against the sum the database answers, and counts a sum without a row as nothing refunded', async () => {
    let refunded: SqlRow[] = [{ refunded: '60' }];
    const { db } = scriptedDb((text, params) => {
      if (text === sql.lockOrder) return [{ amount: '100', state: 'SUCCESS' }];
      if (text === sql.refundedOf) return refunded;
      if (text === sql.insertRefund) {
        const [mchid, out_refund_no, out_trade_no, amount, reason, status, now] = params;
        return [{ mchid, out_refund_no, out_trade_no, amount, reason, status, created_at: now, updated_at: now }];
      }
      return [];
    });
    const ledger = new SqlPayOrders(db, 'public');
    const refund = { mchId: CONTRACT_MCH, outRefundNo: 'R1', outTradeNo: 'T1', amount: 50 };
    expect(await ledger.insertRefund(refund, CONTRACT_NOW)).toEqual({ result: 'exceeds', refundable: 40 });
    refunded = [];
    expect(await ledger.insertRefund(refund, CONTRACT_NOW)).toEqual({
      result: 'created',
      refund: { ...refund, status: 'PROCESSING', createdAt: CONTRACT_NOW, updatedAt: CONTRACT_NOW },
    });
  });
});
