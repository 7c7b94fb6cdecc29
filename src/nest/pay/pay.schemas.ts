/** POST /wechat/pay/orders: what the page asks to pay for (the core checks the values as WeChat Pay would). */
export const CREATE_ORDER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['description', 'amount'],
  properties: {
    description: { type: 'string', minLength: 1, maxLength: 127, example: 'Coffee' },
    amount: { type: 'integer', minimum: 1, description: 'fen (分)', example: 100 },
    outTradeNo: { type: 'string', pattern: '^[0-9A-Za-z_*|-]{6,32}$' },
    attach: { type: 'string', maxLength: 128 },
    timeExpire: { type: 'string', description: 'RFC 3339', example: '2026-12-08T10:34:56+08:00' },
  },
} as const;

/** POST /wechat/pay/refunds (pay admins only). */
export const REFUND_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['outTradeNo', 'amount'],
  properties: {
    outTradeNo: { type: 'string', pattern: '^[0-9A-Za-z_*|-]{6,32}$' },
    amount: { type: 'integer', minimum: 1, description: 'fen (分)' },
    outRefundNo: { type: 'string', pattern: '^[0-9A-Za-z_*|@-]{1,64}$' },
    reason: { type: 'string', maxLength: 80 },
  },
} as const;
