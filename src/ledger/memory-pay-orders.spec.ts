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
});
