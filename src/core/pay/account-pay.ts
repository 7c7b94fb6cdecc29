import type { OrderInput } from './order-input.js';
import type { CreatedOrder, OrderView, PayService } from './pay-service.js';

/**
 * One account's pay (`accounts.get(appId).pay`): orders paid by this account's users, whose openids
 * belong to it. Refunds and notifications are the merchant's: `PayService`.
 */
export class AccountPay {
  constructor(
    private readonly service: PayService,
    readonly appId: string,
  ) {}

  /** Records and orders a JSAPI payment by `openid` (a user of this account); the page's parameters signed. */
  createJsapiOrder(openid: string, input: OrderInput): Promise<CreatedOrder> {
    return this.service.createJsapiOrder({ appId: this.appId, openid }, input);
  }

  /** The order's state, confirmed with WeChat Pay when unpaid for 10 s; with `openid`, only its payer's. */
  query(outTradeNo: string, openid?: string): Promise<OrderView> {
    return this.service.query(outTradeNo, openid === undefined ? undefined : { appId: this.appId, openid });
  }

  /** Closes an unpaid order; with `openid`, only its payer's. */
  close(outTradeNo: string, openid?: string): Promise<void> {
    return this.service.close(outTradeNo, openid === undefined ? undefined : { appId: this.appId, openid });
  }
}
