import { Problem } from '../problem.js';
import { checkOrderInput, type OrderInput } from './order-input.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const base: OrderInput = { description: 'Coffee', amount: 100, outTradeNo: 'order_000001' };

/** The Problem body checkOrderInput throws for `input`, or undefined when it accepts it. */
function refusal(input: Partial<OrderInput> | Record<string, unknown>): unknown {
  try {
    checkOrderInput({ ...base, ...input } as OrderInput, NOW);
    return undefined;
  } catch (error) {
    if (error instanceof Problem) return error.body;
    throw error;
  }
}

const invalid = (message: RegExp) => ({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });

describe('checkOrderInput', () => {
  it('takes a description of 1 to 127 characters, and nothing shorter, longer or not text', () => {
    expect(refusal({ description: 'x' })).toBeUndefined();
    expect(refusal({ description: 'x'.repeat(127) })).toBeUndefined();
    for (const description of ['', 'x'.repeat(128), 42]) expect(refusal({ description })).toEqual(invalid(/description/));
  });

  it('takes an amount of whole fen from 1 up to 10^10, and nothing outside', () => {
    expect(refusal({ amount: 1 })).toBeUndefined();
    expect(refusal({ amount: 100_000_000_00 })).toBeUndefined();
    for (const amount of [0, -1, 1.5, 100_000_000_01, Number.NaN]) expect(refusal({ amount })).toEqual(invalid(/amount/));
  });

  it('takes an outTradeNo of 6 to 32 of [0-9A-Za-z_*|-], and makes one of 32 when none is given', () => {
    expect(refusal({ outTradeNo: 'a_b*c|d-9' })).toBeUndefined();
    for (const outTradeNo of ['abc12', 'x'.repeat(33), 'order 0001', 'order/0001', 123456])
      expect(refusal({ outTradeNo })).toEqual(invalid(/outTradeNo/));
    const { outTradeNo } = checkOrderInput({ description: 'Coffee', amount: 100 }, NOW);
    expect(outTradeNo).toMatch(/^20261207[0-9A-Za-z]{24}$/);
  });

  it('takes an attach of up to 128 characters, and nothing longer or not text', () => {
    expect(refusal({ attach: '' })).toBeUndefined();
    expect(refusal({ attach: 'cart=7' })).toBeUndefined();
    expect(refusal({ attach: 'a'.repeat(128) })).toBeUndefined();
    for (const attach of ['a'.repeat(129), 7]) expect(refusal({ attach })).toEqual(invalid(/attach/));
  });

  it('takes a timeExpire in RFC 3339 with its offset, and no other date format even one Date.parse reads', () => {
    expect(refusal({ timeExpire: '2026-12-08T10:34:56+08:00' })).toBeUndefined();
    expect(refusal({ timeExpire: '2026-12-08T10:34:56.123Z' })).toBeUndefined();
    const refused: unknown[] = ['2026-12-08', '2026-12-08T10:34:56', 'Tue, 08 Dec 2026 10:34:56 GMT', '2026-13-45T10:00:00Z', 5];
    // a page's JSON may hold an array, whose text would pass for the time it holds
    refused.push(['2026-12-08T10:34:56+08:00']);
    for (const timeExpire of refused) expect(refusal({ timeExpire })).toEqual(invalid(/RFC 3339/));
  });

  it('takes a timeExpire only when it is later than now', () => {
    expect(refusal({ timeExpire: '2026-12-07T10:00:01Z' })).toBeUndefined();
    expect(refusal({ timeExpire: '2026-12-07T10:00:00Z' })).toEqual(invalid(/future/));
    expect(refusal({ timeExpire: '2026-12-07T17:59:59+08:00' })).toEqual(invalid(/future/));
  });

  it('hands back the input as given, with the outTradeNo it was given', () => {
    const input = { ...base, attach: 'cart=7', timeExpire: '2026-12-08T10:34:56+08:00' };
    expect(checkOrderInput(input, NOW)).toEqual(input);
  });
});
