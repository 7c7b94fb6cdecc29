import { checkConsumers, ConsumerAuth, parseConsumers } from './consumers.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(40);
const C = 'c'.repeat(33);

describe('credential API consumers', () => {
  it('reads consumer:secret pairs, trimming spaces and empty entries', () => {
    expect(parseConsumers(` java:${A} , ,python:${B}`)).toEqual({
      consumers: [
        { name: 'java', secret: A },
        { name: 'python', secret: B },
      ],
      problems: [],
    });
    // a secret may itself contain colons
    expect(parseConsumers(`go:${A}:x`).consumers).toEqual([{ name: 'go', secret: `${A}:x` }]);
  });

  it('trims the spaces on either side of the colon of an entry', () => {
    expect(parseConsumers(`java :${A},python:  ${B},go @wxa:${C}`)).toEqual({
      consumers: [
        { name: 'java', secret: A },
        { name: 'python', secret: B },
        { name: 'go', secret: C, appIds: ['wxa'] },
      ],
      problems: [],
    });
  });

  it('names each bad entry by position and consumer, never showing a secret', () => {
    const short = 'short-secret';
    const { consumers, problems } = parseConsumers(`java:${short},:${A},bad name:${A},java:${B},php:${A},php:${A}`);
    // entry 4 is the first good java: the bad entry 1 did not take the name
    expect(consumers.map((c) => c.name)).toEqual(['java', 'php']);
    expect(problems).toEqual([
      'entry 1 (java): the secret must be at least 32 characters',
      'entry 2: must be consumer:secret or consumer@appId1|appId2:secret, the name 1-64 of A-Z a-z 0-9 _ . -',
      'entry 3: must be consumer:secret or consumer@appId1|appId2:secret, the name 1-64 of A-Z a-z 0-9 _ . -',
      'entry 6 (php): the name appears twice',
    ]);
    expect(problems.join(' ')).not.toContain(short);
    expect(parseConsumers(A).problems).toEqual([
      'entry 1: must be consumer:secret or consumer@appId1|appId2:secret, the name 1-64 of A-Z a-z 0-9 _ . -',
    ]);
  });

  it('reads the accounts a consumer is limited to: consumer@appId1|appId2:secret', () => {
    expect(parseConsumers(`java@wxa| wxb :${A},python:${B}`)).toEqual({
      consumers: [
        { name: 'java', secret: A, appIds: ['wxa', 'wxb'] },
        { name: 'python', secret: B },
      ],
      problems: [],
    });
    for (const entry of [`java@:${A}`, `java@wxa||wxb:${A}`, `java@wx{a}:${A}`]) {
      expect(parseConsumers(entry).problems).toEqual(['entry 1: the accounts after @ must be appIds separated by |']);
    }
    expect(parseConsumers(`@wxa:${A}`).problems[0]).toContain('the name 1-64');
    expect(checkConsumers([{ name: 'java', secret: A, appIds: ['wxa'] }])).toEqual([
      { name: 'java', secret: A, appIds: ['wxa'] },
    ]);
    expect(() => checkConsumers([{ name: 'java', secret: A, appIds: ['wx a'] }])).toThrow('consumers[0].appIds');
  });

  it('checks a list handed to the module', () => {
    expect(checkConsumers([{ name: 'java', secret: A }])).toEqual([{ name: 'java', secret: A }]);
    expect(() => checkConsumers([{ name: 'java', secret: 'x' }])).toThrow('consumers[0].secret must be at least 32');
    expect(() => checkConsumers([{ name: 'a b', secret: A }])).toThrow('consumers[0].name');
    expect(() =>
      checkConsumers([
        { name: 'java', secret: A },
        { name: 'java', secret: B },
      ]),
    ).toThrow('consumers[1].name appears twice');
  });

  it('refuses a name that is not a string, even one that reads as a name', () => {
    expect(() => checkConsumers([{ name: 1234 as unknown as string, secret: A }])).toThrow('consumers[0].name must be 1-64');
  });

  it('refuses a secret that is not a string, even one as long as a secret', () => {
    const letters = A.split('');
    expect(letters).toHaveLength(32);
    expect(() => checkConsumers([{ name: 'java', secret: letters as unknown as string }])).toThrow(
      'consumers[0].secret must be at least 32',
    );
  });

  it('refuses appIds that are not a list of appIds, however few are wrong', () => {
    for (const appIds of ['wxa', ['wxa', 'wx a'], [123], ['wxa', 123]]) {
      expect(() => checkConsumers([{ name: 'java', secret: A, appIds: appIds as string[] }])).toThrow(
        'CredentialApiModule: consumers[0].appIds must be a list of appIds',
      );
    }
    // an empty list limits the consumer to no account at all; it is not refused
    expect(checkConsumers([{ name: 'java', secret: A, appIds: [] }])).toEqual([{ name: 'java', secret: A, appIds: [] }]);
  });

  it('identifies the consumer of a bearer, and nobody for anything else', () => {
    const auth = new ConsumerAuth([
      { name: 'java', secret: A },
      { name: 'python', secret: B },
    ]);
    expect(auth.identify(`Bearer ${A}`)?.name).toBe('java');
    expect(auth.identify(`bearer ${B}`)?.name).toBe('python');
    expect(auth.identify(`Bearer   ${B} `)?.name).toBe('python');
    for (const header of [
      undefined,
      '',
      A,
      `Basic ${A}`,
      `Bearer ${A}x`,
      `Bearer ${A.slice(1)}`,
      `Bearer ${A} ${B}`,
      'Bearer ',
      ['x'],
      `Bearer ${'a'.repeat(2000)}`,
      // "Bearer" must open the header
      `Basic Bearer ${A}`,
      `xBearer ${A}`,
      // a list that reads as a bearer once turned into a string is still no string
      [`Bearer ${A}`],
    ]) {
      expect(auth.identify(header)).toBeUndefined();
    }
  });

  it('reads a header of at most 1024 characters, whatever it holds', () => {
    const long = 'l'.repeat(1024 - 'Bearer '.length);
    const auth = new ConsumerAuth([{ name: 'long', secret: long }]);
    expect(`Bearer ${long}`).toHaveLength(1024);
    expect(auth.identify(`Bearer ${long}`)?.name).toBe('long');
    // one more space would still match the pattern: only the length refuses it
    expect(auth.identify(`Bearer  ${long}`)).toBeUndefined();
    expect(auth.identify(`Bearer ${long} `)).toBeUndefined();
  });

  it('refuses a secret that two consumers share: a bearer must name one consumer and its accounts', () => {
    const { consumers, problems } = parseConsumers(`java@wxa:${A},python:${B},copy:${A}`);
    expect(consumers.map((c) => c.name)).toEqual(['java', 'python']);
    expect(problems).toEqual(["entry 3 (copy): the secret is another consumer's too; each needs its own"]);
    expect(problems.join()).not.toContain(A);
    expect(() =>
      checkConsumers([
        { name: 'java', secret: A, appIds: ['wxa'] },
        { name: 'copy', secret: A },
      ]),
    ).toThrow("consumers[1].secret is another consumer's too");
    expect(
      checkConsumers([
        { name: 'java', secret: A },
        { name: 'python', secret: B },
      ]),
    ).toHaveLength(2);
  });

  it('should two consumers ever share a secret (refused in configuration), the bearer is the first listed', () => {
    const auth = new ConsumerAuth([
      { name: 'java', secret: A },
      { name: 'python', secret: B },
      { name: 'copy', secret: A },
    ]);
    expect(auth.identify(`Bearer ${A}`)?.name).toBe('java');
  });

  it('a limited consumer may read only its accounts; an unlimited one every account', () => {
    const auth = new ConsumerAuth([
      { name: 'java', secret: A, appIds: ['wxa', 'wxb'] },
      { name: 'python', secret: B },
    ]);
    const java = auth.identify(`Bearer ${A}`)!;
    expect([java.mayRead('wxa'), java.mayRead('wxb'), java.mayRead('wxc'), java.mayRead('')]).toEqual([true, true, false, false]);
    expect(auth.identify(`Bearer ${B}`)!.mayRead('wxc')).toBe(true);
  });
});
