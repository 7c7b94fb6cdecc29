// What the PayOrders contract's two halves share: the handles under test and the sample data.
import type { NewPayOrder, PayOrders } from '../../../src/core/pay/pay-orders.js';

/** Two handles on one ledger, as two instances of the service hold them (`second` may be `first`). */
export interface LedgerPair {
  first: PayOrders;
  second: PayOrders;
}

/** A time far from zero, so that `now - leaseMs` stays positive; tests pass `now`, they never sleep. */
export const CONTRACT_NOW = 1_750_000_000_000;

export const CONTRACT_MCH = '1900000109';

let made = 0;
/** A key no other test (nor an earlier run on the same database) has used. */
export const contractKey = (prefix: string) => `${prefix}${Date.now().toString(36)}${(made++).toString(36)}`;

/** A new order of 100 fen with a fresh outTradeNo, unless `overrides` says otherwise. */
export function contractOrder(overrides: Partial<NewPayOrder> = {}): NewPayOrder {
  return {
    mchId: CONTRACT_MCH,
    outTradeNo: contractKey('T'),
    appId: 'wx0000000000000001',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    description: 'a cup of tea',
    amount: 100,
    ...overrides,
  };
}

/** How many of `answers` equal `value`. */
export const countAnswers = <T>(answers: readonly T[], value: T) => answers.filter((answer) => answer === value).length;

/** Half of the calls through each handle, all started at once. */
export function fromBoth<T>(pair: LedgerPair, times: number, call: (ledger: PayOrders) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: times }, (_, i) => call(i % 2 ? pair.first : pair.second)));
}
