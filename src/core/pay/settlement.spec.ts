import { jest } from '@jest/globals';
import { MemoryPayOrders } from '../../ledger/memory-pay-orders.js';
import { Problem } from '../problem.js';
import type { PayOrder, PayRefund, TradeState } from './pay-orders.js';
import { Settlement } from './settlement.js';
import type { WechatPayTransaction } from './wechatpay-types.js';

const MCH = '1900000109';
const APP = 'wxpayapp000000001';

function world() {
  const now = Date.UTC(2026, 11, 7, 10);
  const clock = () => now;
  const orders = new MemoryPayOrders();
  const hooks = {
    onPaid: jest.fn(async (_order: PayOrder) => undefined),
    onRefunded: jest.fn(async (_refund: PayRefund, _order: PayOrder | undefined) => undefined),
  };
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const moves: TradeState[] = [];
  const settlement = new Settlement(MCH, orders, hooks, clock, logger, (state) => moves.push(state));
  /** An order of 100 fen in the ledger, moved to `state`. */
  const order = async (outTradeNo: string, state: TradeState = 'NOTPAY') => {
    await orders.insertOrder({ mchId: MCH, outTradeNo, appId: APP, openid: 'o_payer_1', description: 'x', amount: 100 }, now);
    if (state !== 'NOTPAY') await orders.transition(MCH, outTradeNo, ['NOTPAY'], { state }, now);
  };
  /** A refund of 40 fen, PROCESSING, of a paid order. */
  const refund = async (outRefundNo: string, outTradeNo: string) => {
    await order(outTradeNo, 'SUCCESS');
    await orders.insertRefund({ mchId: MCH, outRefundNo, outTradeNo, amount: 40 }, now);
  };
  const tx = (outTradeNo: string, tradeState: string): WechatPayTransaction => ({
    appid: APP,
    mchid: MCH,
    out_trade_no: outTradeNo,
    transaction_id: `4200${outTradeNo}`,
    trade_type: 'JSAPI',
    trade_state: tradeState,
    success_time: '2026-12-07T18:00:00+08:00',
    amount: { total: 100 },
  });
  const stateOf = async (outTradeNo: string) => (await orders.findOrder(MCH, outTradeNo))?.state;
  return { settlement, orders, hooks, logger, moves, order, refund, tx, stateOf, now };
}

describe('Settlement: what WeChat Pay says of an order', () => {
  it.each(['CLOSED', 'REVOKED', 'PAYERROR'])(
    'writes %s to an unpaid order (NOTPAY or USERPAYING) once, and never over a paid one',
    async (state) => {
      const w = world();
      await w.order('order_fin001');
      await w.order('order_fin002', 'USERPAYING');
      await w.order('order_fin003', 'SUCCESS');
      expect(await w.settlement.applyTransaction(w.tx('order_fin001', state))).toBe('applied');
      expect(await w.settlement.applyTransaction(w.tx('order_fin002', state))).toBe('applied');
      expect(await w.stateOf('order_fin001')).toBe(state);
      expect(await w.stateOf('order_fin002')).toBe(state);
      expect(w.moves).toEqual([state, state]);
      expect(await w.settlement.applyTransaction(w.tx('order_fin001', state))).toBe('unchanged');
      expect(await w.settlement.applyTransaction(w.tx('order_fin003', state))).toBe('unchanged');
      expect(await w.stateOf('order_fin003')).toBe('SUCCESS');
      expect(w.moves).toHaveLength(2);
    },
  );

  it.each(['NOTPAY', 'USERPAYING'])('leaves the order as it is when WeChat Pay says %s', async (state) => {
    const w = world();
    await w.order('order_mid001');
    expect(await w.settlement.applyTransaction(w.tx('order_mid001', state))).toBe('unchanged');
    expect(await w.stateOf('order_mid001')).toBe('NOTPAY');
    expect(w.moves).toEqual([]);
  });

  it('neither marks paid nor runs onPaid for an order under REVIEW, even when a later word matches it', async () => {
    const w = world();
    // REVIEW is for a person to settle: a matching repeat of WeChat Pay's word must not undo it
    await w.order('order_rev001', 'REVIEW');
    expect(await w.settlement.applyTransaction(w.tx('order_rev001', 'SUCCESS'))).toBe('unchanged');
    expect(await w.stateOf('order_rev001')).toBe('REVIEW');
    expect(w.hooks.onPaid).not.toHaveBeenCalled();
  });

  it('still runs onPaid for an order that was refunded before its paid hook ever succeeded', async () => {
    const w = world();
    // onPaid failed when the payment was applied and the refund went through since: a repeat still runs it
    await w.order('order_rfd001', 'REFUND');
    expect(await w.settlement.applyTransaction(w.tx('order_rfd001', 'SUCCESS'))).toBe('unchanged');
    expect(w.hooks.onPaid).toHaveBeenCalledTimes(1);
    expect(w.hooks.onPaid.mock.calls[0][0]).toMatchObject({ outTradeNo: 'order_rfd001', state: 'REFUND' });
    expect(await w.orders.hookDone('paid', MCH, 'order_rfd001')).toBe(true);
  });
});

describe('Settlement: what WeChat Pay says of a refund', () => {
  it('ignores a refund status it does not know, writing nothing', async () => {
    const w = world();
    await w.refund('refund_0001', 'order_ref001');
    const word = { out_refund_no: 'refund_0001', refund_id: 'rf_1', status: 'SOMETHING_NEW' };
    expect(await w.settlement.applyRefund(word)).toBe('unchanged');
    const kept = await w.orders.findRefund(MCH, 'refund_0001');
    expect(kept?.status).toBe('PROCESSING');
    expect(kept).not.toHaveProperty('refundId');
  });

  it.each(['PROCESSING', 'ABNORMAL', 'CLOSED'])(
    'writes %s to the refund, leaving the order paid and onRefunded not run',
    async (status) => {
      const w = world();
      await w.refund('refund_0002', 'order_ref002');
      const word = { out_refund_no: 'refund_0002', out_trade_no: 'order_ref002', refund_id: 'rf_2', status };
      expect(await w.settlement.applyRefund(word)).toBe('applied');
      expect(await w.orders.findRefund(MCH, 'refund_0002')).toMatchObject({ status, refundId: 'rf_2' });
      expect(await w.stateOf('order_ref002')).toBe('SUCCESS');
      expect(w.moves).toEqual([]);
      expect(w.hooks.onRefunded).not.toHaveBeenCalled();
    },
  );

  it('runs onRefunded again when WeChat Pay repeats SUCCESS after the hook failed', async () => {
    const w = world();
    await w.refund('refund_0003', 'order_ref003');
    w.hooks.onRefunded.mockRejectedValueOnce(new Error('host down'));
    const notice = {
      mchid: MCH,
      out_trade_no: 'order_ref003',
      out_refund_no: 'refund_0003',
      refund_id: 'rf_3',
      refund_status: 'SUCCESS',
      success_time: '2026-12-07T18:10:00+08:00',
    };
    await expect(w.settlement.applyRefund(notice)).rejects.toMatchObject({ statusCode: 500, code: 'FAIL' });
    expect(await w.stateOf('order_ref003')).toBe('REFUND');
    // SUCCESS is final, but the same SUCCESS again is not a late word: it must reach the hook
    expect(await w.settlement.applyRefund(notice)).toBe('applied');
    expect(w.hooks.onRefunded).toHaveBeenCalledTimes(2);
    expect(w.hooks.onRefunded.mock.calls[1][0]).toMatchObject({ outRefundNo: 'refund_0003', status: 'SUCCESS' });
    expect(await w.orders.hookDone('refunded', MCH, 'refund_0003')).toBe(true);
  });
});

describe("Settlement: the host's hooks", () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('waits 40 polls of 100 ms for a hook another instance is running, then answers 503 so that WeChat Pay repeats', async () => {
    jest.useFakeTimers();
    const w = world();
    await w.order('order_wait01');
    // another instance holds the claim (its lease is far from over) and never finishes
    expect(await w.orders.claimHook('paid', MCH, 'order_wait01', w.now, 60_000)).toBe(true);
    const claims = jest.spyOn(w.orders, 'claimHook');
    let outcome: unknown = 'pending';
    void w.settlement.applyTransaction(w.tx('order_wait01', 'SUCCESS')).then(
      (result) => (outcome = result),
      (err: unknown) => (outcome = err),
    );
    await jest.advanceTimersByTimeAsync(3_999);
    expect(outcome).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(outcome).toBeInstanceOf(Problem);
    expect(outcome).toMatchObject({ statusCode: 503, code: 'FAIL' });
    expect(claims).toHaveBeenCalledTimes(41);
    expect(w.hooks.onPaid).not.toHaveBeenCalled();
  });

  it('gives the claim back and answers 500 when a hook fails, logging the name of the error and nothing of its message', async () => {
    const w = world();
    await w.order('order_fail01');
    w.hooks.onPaid.mockRejectedValueOnce(new TypeError('card 6222021234567890 declined'));
    await expect(w.settlement.applyTransaction(w.tx('order_fail01', 'SUCCESS'))).rejects.toMatchObject({
      statusCode: 500,
      code: 'FAIL',
    });
    expect(w.logger.error).toHaveBeenCalledWith(expect.stringContaining('(TypeError)'));
    expect(JSON.stringify(w.logger.error.mock.calls)).not.toContain('6222021234567890');
    expect(await w.orders.claimHook('paid', MCH, 'order_fail01', w.now, 60_000)).toBe(true);
  });

  it('answers 500 also for a hook that fails without an error object', async () => {
    const w = world();
    await w.order('order_fail02');
    w.hooks.onPaid.mockRejectedValueOnce(undefined);
    await expect(w.settlement.applyTransaction(w.tx('order_fail02', 'SUCCESS'))).rejects.toMatchObject({
      statusCode: 500,
      code: 'FAIL',
    });
    expect(w.logger.error).toHaveBeenCalledWith(expect.stringContaining('(error)'));
  });
});
