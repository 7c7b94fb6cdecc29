import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { ConsumerAuth } from '../../core/credentials/consumers.js';
import type { SessionUser } from '../../core/oauth/session-user.js';
import type { OrderInput } from '../../core/pay/order-input.js';
import { type Payer, PayService, type RefundInput } from '../../core/pay/pay-service.js';
import { Problem } from '../../core/problem.js';
import { ApiCookieAuth, ApiTags } from '../http/api-docs.js';
import { compileInputCheck } from '../http/input-check.js';
import { ProblemFilter } from '../http/problem.filter.js';
import { WechatAuthGuard } from '../oauth/wechat-auth.guard.js';
import { WechatUser } from '../oauth/wechat-user.decorator.js';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { WechatSessions } from '../sessions/wechat-sessions.js';
import { PAY_OPTIONS, type ResolvedPayOptions } from './pay.options.js';
import { CREATE_ORDER_SCHEMA, REFUND_SCHEMA } from './pay.schemas.js';

const checkOrder = compileInputCheck<OrderInput>(CREATE_ORDER_SCHEMA);
const checkRefund = compileInputCheck<RefundInput>(REFUND_SCHEMA);

/** The order's payer: a user of the account they logged in through, never a snapshot user (no real openid). */
function payerOf(user: SessionUser, defaultAppId: string): Payer {
  if (user.isSnapshotUser) throw new Problem(403, 'SNAPSHOT_USER', 'a snapshot user cannot pay; open the page to log in');
  return { appId: user.appId ?? defaultAppId, openid: user.openid };
}

/** JSAPI orders for the logged-in user, their state, closing, and refunds for pay admins. */
@Controller('wechat/pay')
@ApiTags('Pay')
@UseFilters(ProblemFilter)
export class PayController {
  private readonly admins: ConsumerAuth;

  constructor(
    private readonly pay: PayService,
    private readonly sessions: WechatSessions,
    private readonly accounts: WechatAccounts,
    @Inject(PAY_OPTIONS) options: ResolvedPayOptions,
  ) {
    this.admins = new ConsumerAuth(options.admins);
  }

  /** 201 with the page's pay parameters; 200 for the same order asked again. */
  @Post('orders')
  @HttpCode(201)
  @UseGuards(RateLimitGuard, WechatAuthGuard)
  @ApiCookieAuth('wechat_sid')
  async create(
    @WechatUser() user: SessionUser,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ) {
    const created = await this.pay.createJsapiOrder(payerOf(user, this.accounts.default.appId), checkOrder(body));
    if (!created.created) reply.status(200);
    return { outTradeNo: created.outTradeNo, bridgeConfig: created.bridgeConfig, sdkConfig: created.sdkConfig };
  }

  @Get('orders/:outTradeNo')
  @UseGuards(RateLimitGuard, WechatAuthGuard)
  @ApiCookieAuth('wechat_sid')
  order(@WechatUser() user: SessionUser, @Param('outTradeNo') outTradeNo: string) {
    return this.pay.query(outTradeNo, payerOf(user, this.accounts.default.appId));
  }

  /** Its payer (session) or a pay admin (bearer) closes an unpaid order. */
  @Post('orders/:outTradeNo/close')
  @HttpCode(204)
  @UseGuards(RateLimitGuard)
  async close(
    @Param('outTradeNo') outTradeNo: string,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: object,
    @Res({ passthrough: true }) response: object,
  ): Promise<void> {
    if (authorization !== undefined) {
      this.admin(authorization);
      return this.pay.close(outTradeNo);
    }
    const user = (await this.sessions.open(request, response)).get('user') as SessionUser | undefined;
    if (!user) throw new Problem(401, 'NOT_AUTHENTICATED', 'log in, or send a pay admin bearer');
    return this.pay.close(outTradeNo, payerOf(user, this.accounts.default.appId));
  }

  @Post('refunds')
  @HttpCode(201)
  @UseGuards(RateLimitGuard)
  async refund(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    this.admin(authorization);
    const refund = await this.pay.refund(checkRefund(body));
    return { outRefundNo: refund.outRefundNo, status: refund.status };
  }

  @Get('refunds/:outRefundNo')
  @UseGuards(RateLimitGuard)
  async refundOf(@Headers('authorization') authorization: string | undefined, @Param('outRefundNo') outRefundNo: string) {
    this.admin(authorization);
    const r = await this.pay.getRefund(outRefundNo);
    return {
      outRefundNo: r.outRefundNo,
      outTradeNo: r.outTradeNo,
      amount: r.amount,
      status: r.status,
      ...(r.refundId ? { refundId: r.refundId } : {}),
      ...(r.successTime ? { successTime: r.successTime } : {}),
    };
  }

  private admin(authorization: string | undefined): void {
    if (!this.admins.identify(authorization))
      throw new Problem(401, 'UNAUTHORIZED', 'a pay admin bearer (PAY_ADMIN_TOKENS) is required');
  }
}
