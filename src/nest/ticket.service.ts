import { Injectable } from '@nestjs/common';
import { WechatAccounts } from '../core/accounts/wechat-accounts.js';
import type { TicketType } from '../core/credentials/credential-keys.js';

/** The jsapi_ticket and wx_card api_ticket of an account (the default one when no appId is given). */
@Injectable()
export class TicketService {
  constructor(private readonly accounts: WechatAccounts) {}

  getTicket(type: TicketType, appId?: string): Promise<string> {
    return this.accounts.get(appId).tickets.getTicket(type);
  }

  /** The ticket if this process holds a usable one (no waiting); undefined sends you to getTicket. */
  peekTicket(type: TicketType, appId?: string): string | undefined {
    return this.accounts.get(appId).tickets.peekTicket(type);
  }

  getJsapiTicket(appId?: string): Promise<string> {
    return this.getTicket('jsapi', appId);
  }

  getCardTicket(appId?: string): Promise<string> {
    return this.getTicket('wx_card', appId);
  }
}
