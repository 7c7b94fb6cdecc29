/** An APIv3 error answer: HTTP status and WeChat Pay's `{code, message, detail?}` body. */
export interface SimFailure {
  ok: false;
  status: number;
  body: { code: string; message: string; detail?: unknown };
}

export type SimResult<T> = { ok: true; body: T } | SimFailure;

export function simFailure(status: number, code: string, message: string, detail?: unknown): SimFailure {
  return { ok: false, status, body: detail === undefined ? { code, message } : { code, message, detail } };
}

/** WeChat Pay's business errors as the sandbox answers them (status codes per protocol/wechat-pay.md §3, §7, §8). */
export const SIM_PAY_ERRORS = {
  param: (message: string) => simFailure(400, 'PARAM_ERROR', message),
  /** field-level PARAM_ERROR in WeChat Pay's wording: the input source and the rule that failed */
  field: (source: string, rule: string) => simFailure(400, 'PARAM_ERROR', `输入源“${source}”映射到值字段规则校验失败，${rule}`),
  appidMchid: () => simFailure(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配'),
  mchNotExists: () => simFailure(400, 'MCH_NOT_EXISTS', '商户号不存在'),
  // status unconfirmed (protocol §13); 400 like the other parameter mismatches
  openidMismatch: () => simFailure(400, 'OPENID_MISMATCH', 'openid和appid不匹配'),
  outTradeNoUsed: () => simFailure(403, 'OUT_TRADE_NO_USED', '商户订单号重复'),
  orderClosed: () => simFailure(400, 'ORDER_CLOSED', '订单已关闭'),
  orderPaid: () => simFailure(400, 'ORDERPAID', '订单已支付'),
  orderNotExist: () => simFailure(404, 'ORDER_NOT_EXIST', '订单不存在'),
  refundNotExist: () => simFailure(404, 'RESOURCE_NOT_EXISTS', '退款单不存在'),
  refundOrderNotExist: () => simFailure(404, 'RESOURCE_NOT_EXISTS', '订单不存在'),
  /** what WeChat Pay answers for a refund beyond what is left to refund (community threads, 2024) */
  refundExceeds: () => simFailure(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额'),
  refundUnpaid: () => simFailure(400, 'INVALID_REQUEST', '订单未支付，不能发起退款'),
  refundTotalMismatch: () => simFailure(400, 'INVALID_REQUEST', '订单金额与原订单金额不一致'),
  refundChanged: () => simFailure(400, 'INVALID_REQUEST', '同一退款单号的退款参数与之前请求不一致'),
  /** `/v3/certificates` for a merchant on the WeChat Pay public key (wechatpay-java#400, exact body) */
  noCertificates: () =>
    simFailure(
      404,
      'RESOURCE_NOT_EXISTS',
      '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/doc/v3/merchant/4012153196',
    ),
  notFound: () => simFailure(404, 'NOT_FOUND', '请求的资源不存在'),
  system: () => simFailure(500, 'SYSTEM_ERROR', '系统错误'),
};
