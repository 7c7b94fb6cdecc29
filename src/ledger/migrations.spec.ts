import type { Queryable, SqlRow, SqlRunner } from './ledger-sql.js';
import { migratePayLedger, PAY_LEDGER_SCHEMA_VERSION } from './migrations.js';

/** A database at the Queryable seam: each statement gets the rows of the first pattern it matches (none by default). */
function scriptedDb(answers: [RegExp, SqlRow[]][]) {
  const statements: { text: string; params?: readonly unknown[] }[] = [];
  const runner: SqlRunner = {
    query: async (text, params) => {
      statements.push({ text, params });
      return { rows: answers.find(([pattern]) => pattern.test(text))?.[1] ?? [] };
    },
  };
  const db: Queryable = { ...runner, transaction: (work) => work(runner) };
  return { db, texts: () => statements.map((s) => s.text), statements };
}

const NAMESPACE = /FROM pg_namespace/;
const VERSION = /MAX\(version\)/;

describe('migratePayLedger', () => {
  it('creates a missing schema, then the tables, and records the version with the time it was applied', async () => {
    const { db, texts, statements } = scriptedDb([[VERSION, [{ version: 0 }]]]);
    await migratePayLedger(db, 'shop_ledger', 1_750_000_000_000);
    expect(texts()[0]).toMatch(/pg_advisory_xact_lock/);
    expect(statements[0]!.params).toEqual(['nest-wechat-h5 pay ledger shop_ledger']);
    expect(texts()).toContain('CREATE SCHEMA "shop_ledger"');
    for (const table of ['pay_orders', 'pay_refunds', 'pay_notifications', 'pay_hooks'])
      expect(texts().some((text) => text.includes(`CREATE TABLE IF NOT EXISTS "shop_ledger".${table}`))).toBe(true);
    expect(statements.at(-1)).toEqual({
      text: 'INSERT INTO "shop_ledger".pay_ledger_versions (version, applied_at) VALUES ($1, $2)',
      params: [PAY_LEDGER_SCHEMA_VERSION, 1_750_000_000_000],
    });
  });

  // CREATE SCHEMA needs a privilege a user of a schema made for it may lack
  it('leaves a schema that exists and tables at the current version alone', async () => {
    const { db, texts } = scriptedDb([
      [NAMESPACE, [{ '?column?': 1 }]],
      [VERSION, [{ version: PAY_LEDGER_SCHEMA_VERSION }]],
    ]);
    await migratePayLedger(db, 'shop_ledger');
    expect(texts().some((text) => /CREATE SCHEMA|pay_orders|INSERT/.test(text))).toBe(false);
  });

  it('reads a version query that answers no row as version 0, and migrates', async () => {
    const { db, texts } = scriptedDb([[NAMESPACE, [{ '?column?': 1 }]]]);
    await migratePayLedger(db, 'shop_ledger');
    expect(texts().filter((text) => text.includes('INSERT INTO "shop_ledger".pay_ledger_versions'))).toHaveLength(1);
  });
});
