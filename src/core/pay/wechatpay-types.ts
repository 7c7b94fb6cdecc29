/** WeChat Pay's objects as it sends them (snake_case), the fields this package reads. */

export interface JsapiOrderRequest {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  notify_url: string;
  amount: { total: number; currency: 'CNY' };
  payer: { openid: string };
  attach?: string;
  time_expire?: string;
}

/** A transaction as query and the TRANSACTION.SUCCESS notification describe it. */
export interface WechatPayTransaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: string;
  trade_state_desc?: string;
  success_time?: string;
  attach?: string;
  payer?: { openid?: string };
  amount?: { total?: number; payer_total?: number; currency?: string };
}

export interface RefundRequest {
  out_trade_no: string;
  out_refund_no: string;
  reason?: string;
  notify_url?: string;
  amount: { refund: number; total: number; currency: 'CNY' };
}

/** A refund as the refund API answers it. */
export interface WechatPayRefund {
  refund_id?: string;
  out_refund_no: string;
  out_trade_no?: string;
  transaction_id?: string;
  status: string;
  success_time?: string;
  amount?: { refund?: number; total?: number };
}

/** A refund notification's resource: `refund_status` where the API says `status`. */
export interface WechatPayRefundNotice {
  mchid: string;
  out_trade_no: string;
  out_refund_no: string;
  refund_id?: string;
  transaction_id?: string;
  refund_status: string;
  success_time?: string;
  amount?: { total?: number; refund?: number };
}
