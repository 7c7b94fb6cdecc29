import { SIM_PAY_ERRORS, type SimFailure } from './pay-errors.js';
import { sortedJson, codePointLength, isJsonObject, isIntegerFen, notifyUrlProblem, rfc3339Millis } from './pay-fields.js';

/** A JSAPI order request that passed the field rules. */
export interface SimPrepayRequest {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  notifyUrl: string;
  attach?: string;
  total: number;
  openid: string;
  /** ms, as asked (clamped later) */
  timeExpire?: number;
  /** the request without time_expire, keys sorted: a repeat must match it */
  fingerprint: string;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OPTIONAL_OBJECTS = ['detail', 'scene_info', 'settle_info'] as const;

type Check = SimFailure | undefined;
const field = SIM_PAY_ERRORS.field;

function stringRule(body: Record<string, unknown>, name: string, min: number, max: number, required: boolean): Check {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string')
    return field(`/body/${name}`, required && value === undefined ? '缺少必填字段' : '类型应为字符串');
  const n = codePointLength(value);
  return n < min || n > max ? field(`/body/${name}`, `字符串长度 ${n}，应在${min}到${max}之间`) : undefined;
}

function amountRule(amount: unknown): Check {
  if (!isJsonObject(amount)) return field('/body/amount', '缺少必填字段');
  if (!isIntegerFen(amount.total)) return field('/body/amount/total', '应为不小于1的整数（单位：分）');
  if (amount.currency !== undefined && amount.currency !== 'CNY') return field('/body/amount/currency', '仅支持CNY');
  return undefined;
}

function shapeRules(body: Record<string, unknown>): Check {
  const strings =
    stringRule(body, 'appid', 1, 32, true) ??
    stringRule(body, 'mchid', 1, 32, true) ??
    stringRule(body, 'description', 1, 127, true) ??
    stringRule(body, 'out_trade_no', 6, 32, true) ??
    stringRule(body, 'attach', 1, 128, false) ??
    stringRule(body, 'goods_tag', 1, 32, false);
  if (strings) return strings;
  if (!OUT_TRADE_NO.test(body.out_trade_no as string)) return field('/body/out_trade_no', '只能是数字、大小写字母或_-|*');
  const notify = notifyUrlProblem(body.notify_url);
  if (notify) return field('/body/notify_url', notify);
  if (body.time_expire !== undefined && rfc3339Millis(body.time_expire) === undefined) {
    return field('/body/time_expire', '应为RFC3339格式，如2018-06-08T10:34:56+08:00');
  }
  if (body.support_fapiao !== undefined && typeof body.support_fapiao !== 'boolean')
    return field('/body/support_fapiao', '类型应为布尔值');
  const amount = amountRule(body.amount);
  if (amount) return amount;
  if (!isJsonObject(body.payer) || typeof body.payer.openid !== 'string' || body.payer.openid === '') {
    return field('/body/payer/openid', '缺少必填字段');
  }
  const badObject = OPTIONAL_OBJECTS.find((k) => body[k] !== undefined && !isJsonObject(body[k]));
  return badObject ? field(`/body/${badObject}`, '类型应为对象') : undefined;
}

/** Field rules of POST /v3/pay/transactions/jsapi (400 PARAM_ERROR); bindings are checked by the caller. */
export function readPrepayRequest(body: unknown): SimPrepayRequest | SimFailure {
  if (!isJsonObject(body)) return SIM_PAY_ERRORS.param('请求体格式错误，应为JSON对象');
  const problem = shapeRules(body);
  if (problem) return problem;
  const { time_expire: _ignored, ...compared } = body;
  const amount = body.amount as { total: number };
  return {
    appid: body.appid as string,
    mchid: body.mchid as string,
    description: body.description as string,
    outTradeNo: body.out_trade_no as string,
    notifyUrl: body.notify_url as string,
    ...(typeof body.attach === 'string' && { attach: body.attach }),
    total: amount.total,
    openid: (body.payer as { openid: string }).openid,
    ...(body.time_expire !== undefined && { timeExpire: rfc3339Millis(body.time_expire) }),
    fingerprint: sortedJson(compared),
  };
}
