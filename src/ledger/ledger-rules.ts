import type { RefundStatus, TradeState } from '../core/pay/pay-orders.js';

/** Only money that was paid can go back: an order is refundable in these states. */
export const REFUNDABLE_STATES: readonly TradeState[] = ['SUCCESS', 'REFUND'];

/** A refund is PROCESSING until WeChat Pay's word says otherwise. */
export const NEW_REFUND_STATUS: RefundStatus = 'PROCESSING';

/** A CLOSED refund paid nothing back, so its amount is refundable again; every other status counts. */
export const UNCOUNTED_REFUND_STATUS: RefundStatus = 'CLOSED';

/**
 * Amounts are whole fen, at least 1: a zero or negative refund would lower the sum refunded and let
 * the next one pass what was paid.
 */
export function assertFen(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new RangeError(`pay ledger: ${what} must be an integer number of fen ≥ 1, not ${amount}`);
  }
}

/** What is left to refund of an order (never below zero). */
export function refundableOf(orderAmount: number, refunded: number): number {
  return Math.max(0, orderAmount - refunded);
}
