import { createNonce } from '../jssdk/nonce.js';
import { Problem } from '../problem.js';

/** What a page asks to pay for. */
export interface OrderInput {
  /** 1–127 characters, shown on the payer's bill */
  description: string;
  /** fen (分), an integer ≥ 1 */
  amount: number;
  /** 6–32 of [0-9A-Za-z_*|-]; made here when absent */
  outTradeNo?: string;
  /** ≤ 128 characters, echoed back by WeChat Pay */
  attach?: string;
  /** RFC 3339, e.g. 2026-12-08T10:34:56+08:00 */
  timeExpire?: string;
}

export const OUT_TRADE_NO = /^[0-9A-Za-z_*|-]{6,32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** WeChat Pay's upper bound for a fen amount in one order is far below this; it keeps integers exact. */
const MAX_FEN = 100_000_000_00;

const invalid = (message: string) => new Problem(400, 'VALIDATION_FAILED', message);

/** The input checked as WeChat Pay would, so a bad order is refused here and never reaches it. */
export function checkOrderInput(input: OrderInput, nowMs: number): Required<Pick<OrderInput, 'outTradeNo'>> & OrderInput {
  const { description, amount, attach, timeExpire } = input;
  if (typeof description !== 'string' || description.length < 1 || description.length > 127)
    throw invalid('description must be 1 to 127 characters');
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_FEN)
    throw invalid('amount must be a whole number of fen, at least 1');
  if (input.outTradeNo !== undefined && (typeof input.outTradeNo !== 'string' || !OUT_TRADE_NO.test(input.outTradeNo)))
    throw invalid('outTradeNo must be 6 to 32 of 0-9 A-Z a-z _ - | *');
  if (attach !== undefined && (typeof attach !== 'string' || attach.length > 128))
    throw invalid('attach must be at most 128 characters');
  if (timeExpire !== undefined) {
    const at = typeof timeExpire === 'string' && RFC3339.test(timeExpire) ? Date.parse(timeExpire) : NaN;
    if (!Number.isFinite(at)) throw invalid('timeExpire must be an RFC 3339 time such as 2026-12-08T10:34:56+08:00');
    if (at <= nowMs) throw invalid('timeExpire must be in the future');
  }
  return { ...input, outTradeNo: input.outTradeNo ?? newOutTradeNo(nowMs) };
}

/** A merchant order number nobody can guess: the UTC date, then 24 random characters (32 in all). */
export function newOutTradeNo(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10).replace(/-/g, '') + createNonce(24);
}
