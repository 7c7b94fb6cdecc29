import { Inject, Injectable } from '@nestjs/common';
import { WechatApiClient } from '../api/wechat-api.client.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { CredentialCache, type CredentialFetcher } from './credential-cache.js';
import { ticketKey, type TicketType } from './credential-keys.js';
import { TokenService, validAnswer } from './token.service.js';

interface TicketAnswer {
  ticket?: unknown;
  expires_in?: unknown;
}

/** The jsapi_ticket and the wx_card api_ticket, cached like the token. */
@Injectable()
export class TicketService {
  private readonly keys: Record<TicketType, string>;
  private readonly fetchers: Record<TicketType, CredentialFetcher>;

  constructor(
    private readonly client: WechatApiClient,
    private readonly tokens: TokenService,
    private readonly cache: CredentialCache,
    @Inject(WECHAT_OPTIONS) options: ResolvedWechatOptions,
  ) {
    this.keys = { jsapi: ticketKey(options, 'jsapi'), wx_card: ticketKey(options, 'wx_card') };
    this.fetchers = { jsapi: () => this.fetchTicket('jsapi'), wx_card: () => this.fetchTicket('wx_card') };
  }

  getTicket(type: TicketType): Promise<string> {
    return this.cache.get(this.keys[type], this.fetchers[type]);
  }

  /** The ticket if this process holds a usable one (no waiting); undefined sends you to getTicket. */
  peekTicket(type: TicketType): string | undefined {
    return this.cache.peek(this.keys[type], this.fetchers[type]);
  }

  getJsapiTicket(): Promise<string> {
    return this.getTicket('jsapi');
  }

  getCardTicket(): Promise<string> {
    return this.getTicket('wx_card');
  }

  private async fetchTicket(type: TicketType) {
    const endpoint = 'cgi-bin/ticket/getticket';
    const answer = await this.tokens.withAccessToken((accessToken) =>
      this.client.get<TicketAnswer>(endpoint, { access_token: accessToken, type }),
    );
    return validAnswer(answer.ticket, answer.expires_in, endpoint);
  }
}
