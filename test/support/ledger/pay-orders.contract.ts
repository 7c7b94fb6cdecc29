// The behaviour every PayOrders must show, run by each implementation's spec against the real thing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PayOrders } from '../../../src/core/pay/pay-orders.js';
import {
  CONTRACT_MCH as MCH,
  CONTRACT_NOW as T0,
  contractKey as unique,
  contractOrder as newOrder,
  countAnswers as count,
  fromBoth,
  type LedgerPair,
} from './contract-fixtures.js';
import { describeRefundAndOnceContract } from './pay-refunds.contract.js';

export interface LedgerUnderTest {
  open(): Promise<LedgerPair>;
  close(pair: LedgerPair): Promise<void>;
}

export function describePayOrdersContract(label: string, subject: LedgerUnderTest): void {
  describe(`${label}: the PayOrders contract`, () => {
    let pair: LedgerPair | undefined;
    // an embedded PostgreSQL (PGlite, WebAssembly) takes seconds to start on a loaded machine
    beforeAll(async () => {
      pair = await subject.open();
    }, 120_000);
    afterAll(async () => {
      if (pair) await subject.close(pair);
    });
    const ledger = () => pair!;
    describeInsertOrderContract(ledger);
    describeFindOrderContract(ledger);
    describeTransitionContract(ledger);
    describeRefundAndOnceContract(ledger);
  });
}

function describeInsertOrderContract(ledger: () => LedgerPair): void {
  describe('insertOrder', () => {
    it('records a new order in NOTPAY, optional fields absent, and finds it', async () => {
      const order = newOrder();
      const { created, order: written } = await ledger().first.insertOrder(order, T0);
      const expected = { ...order, state: 'NOTPAY', createdAt: T0, updatedAt: T0 };
      expect(created).toBe(true);
      expect(written).toStrictEqual(expected);
      expect(await ledger().second.findOrder(MCH, order.outTradeNo)).toStrictEqual(expected);
    });

    it('keeps attach and timeExpire', async () => {
      const order = newOrder({ attach: 'cart=7', timeExpire: '2025-06-01T10:00:00+08:00' });
      await ledger().first.insertOrder(order, T0);
      expect(await ledger().first.findOrder(MCH, order.outTradeNo)).toMatchObject({
        attach: 'cart=7',
        timeExpire: order.timeExpire,
      });
    });

    it('writes nothing for a taken (mchId, outTradeNo) and answers the existing order', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      const again = await ledger().second.insertOrder({ ...order, amount: 5, description: 'other' }, T0 + 9);
      expect(again).toStrictEqual({ created: false, order: { ...order, state: 'NOTPAY', createdAt: T0, updatedAt: T0 } });
    });

    it('keeps orders of two merchants with one outTradeNo apart', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      const other = await ledger().first.insertOrder({ ...order, mchId: '1900000110', amount: 7 }, T0);
      expect(other.created).toBe(true);
      expect((await ledger().first.findOrder(MCH, order.outTradeNo))?.amount).toBe(100);
    });

    it('creates one order when two instances insert it at once', async () => {
      const order = newOrder();
      const answers = await fromBoth(ledger(), 6, (on) => on.insertOrder(order, T0));
      expect(answers.filter((answer) => answer.created)).toHaveLength(1);
    });
  });
}

function describeFindOrderContract(ledger: () => LedgerPair): void {
  describe('findOrder, setPrepayId', () => {
    it('refuses an amount that is not a whole number of fen ≥ 1', async () => {
      for (const amount of [0, -1, 1.5, Number.NaN])
        await expect(ledger().first.insertOrder(newOrder({ amount }), T0)).rejects.toThrow();
    });

    it('finds nothing for an unknown order', async () => {
      expect(await ledger().first.findOrder(MCH, unique('none'))).toBeUndefined();
    });

    it('remembers the prepay_id', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      await ledger().second.setPrepayId(MCH, order.outTradeNo, 'wx201410272009395522657a690389285100', T0 + 5);
      const found = await ledger().first.findOrder(MCH, order.outTradeNo);
      expect(found).toMatchObject({ prepayId: 'wx201410272009395522657a690389285100', updatedAt: T0 + 5, createdAt: T0 });
      await expect(ledger().first.setPrepayId(MCH, unique('none'), 'p', T0)).resolves.toBeUndefined();
    });
  });
}

function describeTransitionContract(ledger: () => LedgerPair): void {
  const paid = { state: 'SUCCESS', transactionId: '4200000001202501010000000001', paidAt: '2025-01-01T10:00:00+08:00' } as const;

  describe('transition (compare-and-set) and claimQuery', () => {
    it('writes the change when the state is one of `from`, and answers the order as written', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      const written = await ledger().first.transition(MCH, order.outTradeNo, ['NOTPAY', 'USERPAYING'], paid, T0 + 1);
      expect(written).toStrictEqual({ ...order, ...paid, createdAt: T0, updatedAt: T0 + 1 });
      expect(await ledger().second.findOrder(MCH, order.outTradeNo)).toStrictEqual(written);
    });

    it('writes nothing when the state is not in `from`, `from` is empty, or there is no order', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      expect(await ledger().first.transition(MCH, order.outTradeNo, ['SUCCESS', 'CLOSED'], paid, T0 + 1)).toBeUndefined();
      expect(await ledger().first.transition(MCH, order.outTradeNo, [], paid, T0 + 1)).toBeUndefined();
      expect(await ledger().first.transition(MCH, unique('none'), ['NOTPAY'], paid, T0 + 1)).toBeUndefined();
      expect(await ledger().first.findOrder(MCH, order.outTradeNo)).toMatchObject({ state: 'NOTPAY', updatedAt: T0 });
    });

    it('keeps the transaction id and paid time when a later change does not name them', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      await ledger().first.transition(MCH, order.outTradeNo, ['NOTPAY'], paid, T0 + 1);
      const refunded = await ledger().first.transition(MCH, order.outTradeNo, ['SUCCESS'], { state: 'REFUND' }, T0 + 2);
      expect(refunded).toMatchObject({ state: 'REFUND', transactionId: paid.transactionId, paidAt: paid.paidAt });
    });

    it('gives the order to exactly one of two instances applying one notification at once', async () => {
      const order = newOrder();
      await ledger().first.insertOrder(order, T0);
      const answers = await fromBoth(ledger(), 10, (on) => on.transition(MCH, order.outTradeNo, ['NOTPAY'], paid, T0 + 1));
      expect(answers.filter((answer) => answer !== undefined)).toHaveLength(1);
    });

    it('lets one caller per everyMs ask WeChat Pay about an order', async () => {
      const [order, other] = [newOrder(), newOrder()];
      await ledger().first.insertOrder(order, T0);
      await ledger().first.insertOrder(other, T0);
      const q = (on: PayOrders, now: number) => on.claimQuery(MCH, order.outTradeNo, now, 5000);
      const first = await fromBoth(ledger(), 8, (on) => q(on, T0));
      expect(count(first, true)).toBe(1);
      expect(await q(ledger().first, T0 + 4999)).toBe(false);
      expect(await q(ledger().second, T0 + 5000)).toBe(true);
      expect(await q(ledger().first, T0 + 5001)).toBe(false);
      expect(await ledger().first.claimQuery(MCH, other.outTradeNo, T0 + 1, 5000)).toBe(true);
      expect(await ledger().first.claimQuery(MCH, unique('none'), T0, 5000)).toBe(false);
    });
  });
}
