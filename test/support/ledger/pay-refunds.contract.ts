// The PayOrders contract, continued: refunds, the hooks that run once, the notifications seen.
import { describe, expect, it } from '@jest/globals';
import type { HookKind, NewPayRefund, PayOrders, RefundInsert } from '../../../src/core/pay/pay-orders.js';
import {
  CONTRACT_MCH as MCH,
  CONTRACT_NOW as T0,
  contractKey as unique,
  contractOrder as newOrder,
  countAnswers as count,
  fromBoth,
  type LedgerPair,
} from './contract-fixtures.js';

/** An order of `amount` fen, paid. */
async function paidOrder(ledger: PayOrders, amount = 100): Promise<string> {
  const order = newOrder({ amount });
  await ledger.insertOrder(order, T0);
  await ledger.transition(MCH, order.outTradeNo, ['NOTPAY'], { state: 'SUCCESS', transactionId: '42' }, T0 + 1);
  return order.outTradeNo;
}

const newRefund = (outTradeNo: string, amount: number, extra: Partial<NewPayRefund> = {}): NewPayRefund => ({
  mchId: MCH,
  outRefundNo: unique('R'),
  outTradeNo,
  amount,
  ...extra,
});

export function describeRefundAndOnceContract(ledger: () => LedgerPair): void {
  describeRefundInsertContract(ledger);
  describeRefundUpdateContract(ledger);
  describeRefundConcurrency(ledger);
  describeHookContract(ledger);
  describeNotificationContract(ledger);
}

const exceeds = (refundable: number) => ({ result: 'exceeds', refundable });

function describeRefundInsertContract(ledger: () => LedgerPair): void {
  describe('insertRefund, findRefund', () => {
    it('records a refund of a paid order as PROCESSING and finds it', async () => {
      const refund = newRefund(await paidOrder(ledger().first), 30, { reason: 'cold tea' });
      const expected = { ...refund, status: 'PROCESSING', createdAt: T0 + 2, updatedAt: T0 + 2 };
      expect(await ledger().first.insertRefund(refund, T0 + 2)).toStrictEqual({ result: 'created', refund: expected });
      expect(await ledger().second.findRefund(MCH, refund.outRefundNo)).toStrictEqual(expected);
      expect(await ledger().second.findRefund(MCH, unique('none'))).toBeUndefined();
    });

    it('answers the existing refund for a known outRefundNo, and writes nothing', async () => {
      const refund = newRefund(await paidOrder(ledger().first), 30);
      const { refund: created } = (await ledger().first.insertRefund(refund, T0 + 2)) as { refund: unknown };
      const again = await ledger().second.insertRefund({ ...refund, amount: 90 }, T0 + 3);
      expect(again).toStrictEqual({ result: 'exists', refund: created });
      expect(await ledger().first.findRefund(MCH, refund.outRefundNo)).toStrictEqual(created);
    });

    it('refuses what passes the amount paid, and an order not paid or not known', async () => {
      const outTradeNo = await paidOrder(ledger().first);
      expect((await ledger().first.insertRefund(newRefund(outTradeNo, 60), T0)).result).toBe('created');
      expect(await ledger().first.insertRefund(newRefund(outTradeNo, 41), T0)).toStrictEqual(exceeds(40));
      expect((await ledger().first.insertRefund(newRefund(outTradeNo, 40), T0)).result).toBe('created');
      expect(await ledger().first.insertRefund(newRefund(outTradeNo, 1), T0)).toStrictEqual(exceeds(0));
      const unpaid = newOrder();
      await ledger().first.insertOrder(unpaid, T0);
      expect(await ledger().first.insertRefund(newRefund(unpaid.outTradeNo, 1), T0)).toStrictEqual(exceeds(0));
      expect(await ledger().first.insertRefund(newRefund(unique('none'), 1), T0)).toStrictEqual({ result: 'no-order' });
    });

    it('counts a CLOSED refund as nothing refunded, and refunds an order in state REFUND', async () => {
      const outTradeNo = await paidOrder(ledger().first);
      const closed = newRefund(outTradeNo, 100);
      await ledger().first.insertRefund(closed, T0);
      await ledger().first.transition(MCH, outTradeNo, ['SUCCESS'], { state: 'REFUND' }, T0 + 2);
      await ledger().second.updateRefund(MCH, closed.outRefundNo, { status: 'CLOSED' }, T0 + 3);
      expect((await ledger().first.insertRefund(newRefund(outTradeNo, 100), T0 + 4)).result).toBe('created');
    });
  });
}

function describeRefundUpdateContract(ledger: () => LedgerPair): void {
  describe('insertRefund refusals, updateRefund', () => {
    it('refuses a refund amount that is not a whole number of fen ≥ 1', async () => {
      const outTradeNo = await paidOrder(ledger().first);
      for (const amount of [0, -50, 2.5])
        await expect(ledger().first.insertRefund(newRefund(outTradeNo, amount), T0)).rejects.toThrow();
    });

    it("writes WeChat Pay's word on a refund, keeping what a later word leaves out", async () => {
      const refund = newRefund(await paidOrder(ledger().first), 10);
      await ledger().first.insertRefund(refund, T0);
      const word = {
        status: 'SUCCESS',
        refundId: '50000000382019052709732678859',
        successTime: '2025-01-01T10:01:00+08:00',
      } as const;
      const written = await ledger().second.updateRefund(MCH, refund.outRefundNo, word, T0 + 9);
      expect(written).toStrictEqual({ ...refund, ...word, createdAt: T0, updatedAt: T0 + 9 });
      const later = await ledger().first.updateRefund(MCH, refund.outRefundNo, { status: 'ABNORMAL' }, T0 + 10);
      expect(later).toMatchObject({ status: 'ABNORMAL', refundId: word.refundId, successTime: word.successTime });
      expect(await ledger().first.updateRefund(MCH, unique('none'), word, T0)).toBeUndefined();
    });
  });
}

function describeRefundConcurrency(ledger: () => LedgerPair): void {
  describe('insertRefund at once from two instances', () => {
    it('never refunds more than was paid: 10 refunds of 40 on 100 → 2 created', async () => {
      const outTradeNo = await paidOrder(ledger().first, 100);
      const answers: RefundInsert[] = await fromBoth(ledger(), 10, (on) => on.insertRefund(newRefund(outTradeNo, 40), T0 + 2));
      const results = answers.map((answer) => answer.result);
      expect(count(results, 'created')).toBe(2);
      expect(count(results, 'exceeds')).toBe(8);
      expect(answers.filter((answer) => answer.result === 'exceeds').every((answer) => answer.refundable === 20)).toBe(true);
    });

    it('creates one refund for one outRefundNo sent at once', async () => {
      const refund = newRefund(await paidOrder(ledger().first), 10);
      const answers = await fromBoth(ledger(), 6, (on) => on.insertRefund(refund, T0 + 2));
      const results = answers.map((answer) => answer.result);
      expect([count(results, 'created'), count(results, 'exists')]).toEqual([1, 5]);
    });
  });
}

function describeHookContract(ledger: () => LedgerPair): void {
  const LEASE = 60_000;
  const claim = (on: PayOrders, subject: string, now: number, kind: HookKind = 'paid') =>
    on.claimHook(kind, MCH, subject, now, LEASE);

  describe('claimHook, finishHook, releaseHook, hookDone', () => {
    it('gives the claim to one of many callers at once, and to no one else within the lease', async () => {
      const subject = unique('T');
      const answers = await fromBoth(ledger(), 10, (on) => claim(on, subject, T0));
      expect(count(answers, true)).toBe(1);
      expect(await claim(ledger().first, subject, T0 + LEASE - 1)).toBe(false);
      expect(await claim(ledger().first, subject, T0, 'refunded')).toBe(true);
    });

    it('gives the claim again once the lease ran out without a finish (its holder died)', async () => {
      const subject = unique('T');
      expect(await claim(ledger().first, subject, T0)).toBe(true);
      const late = await Promise.all([claim(ledger().first, subject, T0 + LEASE), claim(ledger().second, subject, T0 + LEASE)]);
      expect(count(late, true)).toBe(1);
    });

    it('never gives a finished hook again', async () => {
      const subject = unique('T');
      expect(await claim(ledger().first, subject, T0)).toBe(true);
      await ledger().first.finishHook('paid', MCH, subject, T0 + 1);
      await ledger().second.releaseHook('paid', MCH, subject);
      expect(await claim(ledger().second, subject, T0 + 100 * LEASE)).toBe(false);
      const unclaimed = unique('T');
      await ledger().first.finishHook('refunded', MCH, unclaimed, T0);
      expect(await claim(ledger().first, unclaimed, T0 + 1, 'refunded')).toBe(false);
    });

    it('gives a released claim at once, so that the next repeat runs the hook again', async () => {
      const subject = unique('T');
      expect(await claim(ledger().first, subject, T0)).toBe(true);
      await ledger().first.releaseHook('paid', MCH, subject);
      expect(await claim(ledger().second, subject, T0 + 1)).toBe(true);
      expect(await claim(ledger().first, subject, T0 + 2)).toBe(false);
      await expect(ledger().first.releaseHook('paid', MCH, unique('none'))).resolves.toBeUndefined();
    });

    it('tells every instance a hook is done only once it was finished, not while it is claimed', async () => {
      const subject = unique('T');
      expect(await ledger().second.hookDone('paid', MCH, subject)).toBe(false);
      expect(await claim(ledger().first, subject, T0)).toBe(true);
      expect(await ledger().second.hookDone('paid', MCH, subject)).toBe(false);
      await ledger().first.finishHook('paid', MCH, subject, T0 + 1);
      expect(await ledger().second.hookDone('paid', MCH, subject)).toBe(true);
      expect(await ledger().second.hookDone('refunded', MCH, subject)).toBe(false);
    });
  });
}

function describeNotificationContract(ledger: () => LedgerPair): void {
  describe('recordNotification', () => {
    it('answers true the first time a notification id is recorded, false for every repeat', async () => {
      const id = unique('EV-');
      const answers = await fromBoth(ledger(), 6, (on) => on.recordNotification(id, 'TRANSACTION.SUCCESS', T0));
      expect(count(answers, true)).toBe(1);
      expect(await ledger().first.recordNotification(id, 'TRANSACTION.SUCCESS', T0 + 1)).toBe(false);
      expect(await ledger().first.recordNotification(unique('EV-'), 'REFUND.SUCCESS', T0)).toBe(true);
    });
  });
}
