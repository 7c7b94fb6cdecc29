import { ledgerStatements, quoteSchema } from './ledger-sql.js';

describe('quoteSchema', () => {
  it('quotes a plain identifier of 1 to 63 characters, starting with a letter or _', () => {
    for (const schema of ['public', '_ledger', 'Ledger_2', 'a', 'a'.repeat(63)]) expect(quoteSchema(schema)).toBe(`"${schema}"`);
  });

  // the whole name must be an identifier, not only its end or its start: it is spliced into SQL
  it('refuses anything else, wherever in the name the offending character is', () => {
    const refused = [
      '',
      '1ledger',
      '-ledger',
      'ledger-1',
      'led ger',
      'ledger;',
      'x"; DROP TABLE y; --',
      'a'.repeat(64),
      'schéma',
    ];
    for (const schema of refused) expect(() => quoteSchema(schema)).toThrow(/plain identifier/);
  });

  it('puts every statement on the tables of the schema given', () => {
    const statements = Object.values(ledgerStatements('shop_ledger'));
    expect(statements.every((text) => /"shop_ledger"\.pay_/.test(text))).toBe(true);
    expect(statements.some((text) => /\bpublic\b/.test(text))).toBe(false);
  });
});
