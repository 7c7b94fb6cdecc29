import { createPayLedger, EmbeddedPayOrders, PostgresPayOrders } from './index.js';

describe('createPayLedger', () => {
  it('chooses PostgreSQL when DATABASE_URL is set, in production or not', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(createPayLedger({ databaseUrl: url, production: true })).toBeInstanceOf(PostgresPayOrders);
    expect(createPayLedger({ databaseUrl: url, production: false })).toBeInstanceOf(PostgresPayOrders);
  });

  it('chooses the embedded ledger outside production, without starting it', () => {
    expect(createPayLedger({ production: false, dataDir: '/nonexistent/not-started' })).toBeInstanceOf(EmbeddedPayOrders);
  });

  // the schema reaches the ledger chosen: a name that is not an identifier is refused at once by either
  it('hands the schema to the ledger it chooses', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(() => createPayLedger({ production: false, schema: 'not a name' })).toThrow(/plain identifier/);
    expect(() => createPayLedger({ databaseUrl: url, production: true, schema: 'not a name' })).toThrow(/plain identifier/);
    expect(createPayLedger({ production: false, schema: 'shop_ledger' })).toBeInstanceOf(EmbeddedPayOrders);
  });

  it('refuses production without DATABASE_URL', () => {
    expect(() => createPayLedger({ production: true })).toThrow(/DATABASE_URL/);
  });
});
