import { CONTRACT_NOW, contractOrder } from '../../test/support/ledger/contract-fixtures.js';
import { MemoryPayOrders } from './memory-pay-orders.js';
import { describePayOrdersContract } from '../../test/support/ledger/pay-orders.contract.js';

describePayOrdersContract('MemoryPayOrders', {
  open: async () => {
    const ledger = new MemoryPayOrders();
    return { first: ledger, second: ledger };
  },
  close: async ({ first }) => first.close?.(),
});

describe('MemoryPayOrders', () => {
  it('hands out copies: changing an answer changes nothing recorded', async () => {
    const ledger = new MemoryPayOrders();
    const order = contractOrder();
    const { order: written } = await ledger.insertOrder(order, CONTRACT_NOW);
    written.state = 'SUCCESS';
    (await ledger.findOrder(order.mchId, order.outTradeNo))!.amount = 1;
    expect(await ledger.findOrder(order.mchId, order.outTradeNo)).toMatchObject({ state: 'NOTPAY', amount: 100 });
  });

  // what was refunded is summed per order, and an order is named by merchant and outTradeNo together
  it("counts against an order only its own refunds, not another order's nor another merchant's", async () => {
    const ledger = new MemoryPayOrders();
    const mine = contractOrder();
    const sameNumberOtherMerchant = { ...mine, mchId: '1900000110' };
    const other = contractOrder();
    for (const order of [mine, sameNumberOtherMerchant, other]) {
      await ledger.insertOrder(order, CONTRACT_NOW);
      await ledger.transition(order.mchId, order.outTradeNo, ['NOTPAY'], { state: 'SUCCESS' }, CONTRACT_NOW);
    }
    const refund = (order: typeof mine, outRefundNo: string) =>
      ledger.insertRefund({ mchId: order.mchId, outRefundNo, outTradeNo: order.outTradeNo, amount: 100 }, CONTRACT_NOW);
    expect((await refund(mine, 'R_mine_1')).result).toBe('created');
    expect((await refund(sameNumberOtherMerchant, 'R_theirs_1')).result).toBe('created');
    expect((await refund(other, 'R_other_1')).result).toBe('created');
    expect(await refund(mine, 'R_mine_2')).toEqual({ result: 'exceeds', refundable: 0 });
  });
});
