import type { SimOrder, SimTradeState } from './order-book.js';
import { wechatPayTime } from './pay-fields.js';
import type { SimRefund } from './refund-book.js';

const STATE_DESC: Record<SimTradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '订单发生过退款',
};

/** WeChat Pay's Transaction object, keys in the order of its notifications (protocol §12 V8). */
export function simTransaction(order: SimOrder): Record<string, unknown> {
  const { request: r } = order;
  const paid = order.transactionId !== undefined;
  return {
    mchid: r.mchid,
    appid: r.appid,
    out_trade_no: r.outTradeNo,
    ...(paid && { transaction_id: order.transactionId, trade_type: 'JSAPI' }),
    trade_state: order.state,
    trade_state_desc: STATE_DESC[order.state],
    ...(paid && { bank_type: 'OTHERS' }),
    attach: r.attach ?? '',
    ...(paid && { success_time: wechatPayTime(order.successAt!), payer: { openid: r.openid } }),
    amount: paid
      ? { total: r.total, payer_total: r.total, currency: 'CNY', payer_currency: 'CNY' }
      : { total: r.total, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** WeChat Pay's Refund object (answer of the refund endpoints). */
export function simRefundBody(refund: SimRefund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successAt !== undefined && { success_time: wechatPayTime(refund.successAt) }),
    create_time: wechatPayTime(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.total,
      refund: refund.refund,
      from: [],
      payer_total: refund.total,
      payer_refund: refund.refund,
      settlement_refund: refund.refund,
      settlement_total: refund.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** What a REFUND.* notification decrypts to. */
export function simRefundNotice(refund: SimRefund, mchid: string): Record<string, unknown> {
  return {
    mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    ...(refund.successAt !== undefined && { success_time: wechatPayTime(refund.successAt) }),
    user_received_account: '支付用户零钱',
    amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
  };
}
