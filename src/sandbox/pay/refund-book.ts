import type { OrderBook, SimOrder } from './order-book.js';
import { randomDecimal } from './pay-crypto.js';
import { SIM_PAY_ERRORS, type SimFailure } from './pay-errors.js';
import { sortedJson, codePointLength, isJsonObject, isIntegerFen, notifyUrlProblem } from './pay-fields.js';

export type SimRefundStatus = 'PROCESSING' | 'SUCCESS';

export interface SimRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refund: number;
  total: number;
  notifyUrl?: string;
  status: SimRefundStatus;
  createdAt: number;
  successAt?: number;
  fingerprint: string;
}

interface RefundRequest {
  outRefundNo: string;
  transactionId?: string;
  outTradeNo?: string;
  refund: number;
  total: number;
  notifyUrl?: string;
  fingerprint: string;
}

const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const field = SIM_PAY_ERRORS.field;

function readRefundRequest(body: unknown): RefundRequest | SimFailure {
  if (!isJsonObject(body)) return SIM_PAY_ERRORS.param('请求体格式错误，应为JSON对象');
  const { out_refund_no: outRefundNo, transaction_id: transactionId, out_trade_no: outTradeNo, amount } = body;
  if (typeof outRefundNo !== 'string' || !OUT_REFUND_NO.test(outRefundNo))
    return field('/body/out_refund_no', '只能是1到64位数字、大小写字母或_-|*@');
  if (typeof transactionId !== 'string' && typeof outTradeNo !== 'string')
    return field('/body/transaction_id', 'transaction_id和out_trade_no必须二选一');
  if (body.reason !== undefined && (typeof body.reason !== 'string' || codePointLength(body.reason) > 80))
    return field('/body/reason', '长度不能超过80');
  if (body.notify_url !== undefined) {
    const problem = notifyUrlProblem(body.notify_url);
    if (problem) return field('/body/notify_url', problem);
  }
  if (!isJsonObject(amount)) return field('/body/amount', '缺少必填字段');
  if (!isIntegerFen(amount.refund)) return field('/body/amount/refund', '应为不小于1的整数（单位：分）');
  if (!isIntegerFen(amount.total)) return field('/body/amount/total', '应为不小于1的整数（单位：分）');
  if (amount.currency !== 'CNY') return field('/body/amount/currency', '缺少必填字段或不是CNY');
  return {
    outRefundNo,
    ...(typeof transactionId === 'string' && { transactionId }),
    ...(typeof outTradeNo === 'string' && { outTradeNo }),
    refund: amount.refund,
    total: amount.total,
    ...(typeof body.notify_url === 'string' && { notifyUrl: body.notify_url }),
    fingerprint: sortedJson(body),
  };
}

/** Refunds keyed by out_refund_no: one refund per number, never beyond what the order has left to refund. */
export class RefundBook {
  private readonly refunds = new Map<string, SimRefund>();

  constructor(
    private readonly now: () => number,
    private readonly orders: OrderBook,
  ) {}

  /** A new PROCESSING refund (`created`), or the existing one for an identical repeat. */
  create(body: unknown): { ok: true; refund: SimRefund; created: boolean } | SimFailure {
    const req = readRefundRequest(body);
    if ('ok' in req) return req;
    const existing = this.refunds.get(req.outRefundNo);
    if (existing)
      return existing.fingerprint === req.fingerprint
        ? { ok: true, refund: existing, created: false }
        : SIM_PAY_ERRORS.refundChanged();
    const order =
      req.transactionId !== undefined ? this.orders.byTransactionId(req.transactionId) : this.orders.get(req.outTradeNo!);
    if (!order || (req.outTradeNo !== undefined && order.request.outTradeNo !== req.outTradeNo))
      return SIM_PAY_ERRORS.refundOrderNotExist();
    const problem = this.refundProblem(order, req);
    if (problem) return problem;
    const refund: SimRefund = {
      refundId: `50${randomDecimal(27)}`,
      outRefundNo: req.outRefundNo,
      outTradeNo: order.request.outTradeNo,
      transactionId: order.transactionId!,
      refund: req.refund,
      total: req.total,
      ...(req.notifyUrl !== undefined && { notifyUrl: req.notifyUrl }),
      status: 'PROCESSING',
      createdAt: this.now(),
      fingerprint: req.fingerprint,
    };
    this.refunds.set(refund.outRefundNo, refund);
    order.state = 'REFUND';
    return { ok: true, refund, created: true };
  }

  get(outRefundNo: string): SimRefund | undefined {
    return this.refunds.get(outRefundNo);
  }

  /** The refund reaches the user: SUCCESS with its success time. */
  settle(refund: SimRefund): void {
    refund.status = 'SUCCESS';
    refund.successAt = this.now();
  }

  private refundProblem(order: SimOrder, req: RefundRequest): SimFailure | undefined {
    if (order.transactionId === undefined) return SIM_PAY_ERRORS.refundUnpaid();
    if (req.total !== order.request.total) return SIM_PAY_ERRORS.refundTotalMismatch();
    let refunded = 0;
    for (const r of this.refunds.values()) if (r.outTradeNo === order.request.outTradeNo) refunded += r.refund;
    return req.refund > order.request.total - refunded ? SIM_PAY_ERRORS.refundExceeds() : undefined;
  }
}
