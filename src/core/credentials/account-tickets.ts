import type { CredentialSource } from './credential-source.js';
import type { CredentialCache, CredentialFetcher } from './credential-cache.js';
import type { StoredCredential } from './credential-store.js';
import type { TicketType } from './credential-keys.js';
import type { AccountTokens } from './account-tokens.js';
import { validAnswer } from './account-tokens.js';
import type { CallContext, Transport } from '../ports.js';

interface TicketAnswer {
  ticket?: unknown;
  expires_in?: unknown;
}

/** One account's jsapi_ticket and wx_card api_ticket, cached like its token (and from the same source). */
export class AccountTickets {
  private readonly fetchers: Record<TicketType, CredentialFetcher>;
  private readonly context: CallContext;

  constructor(
    private readonly appId: string,
    private readonly keys: Record<TicketType, string>,
    private readonly transport: Transport,
    private readonly tokens: AccountTokens,
    private readonly cache: CredentialCache,
    private readonly source?: CredentialSource,
  ) {
    this.context = { appId };
    this.fetchers = { jsapi: () => this.fetchTicket('jsapi'), wx_card: () => this.fetchTicket('wx_card') };
  }

  getTicket(type: TicketType): Promise<string> {
    return this.cache.get(this.keys[type], this.fetchers[type]);
  }

  /** The ticket if this process holds a usable one (no waiting); undefined sends you to getTicket. */
  peekTicket(type: TicketType): string | undefined {
    return this.cache.peek(this.keys[type], this.fetchers[type]);
  }

  /** The ticket with its expiry if this process holds a usable one (no waiting), else undefined. */
  peekCurrent(type: TicketType): StoredCredential | undefined {
    return this.cache.peekStored(this.keys[type], this.fetchers[type]);
  }

  /** The ticket with its expiry. */
  current(type: TicketType): Promise<StoredCredential> {
    return this.cache.getStored(this.keys[type], this.fetchers[type]);
  }

  /** The ticket held now and the one before it, without fetching (for the signing diagnosis). */
  held(type: TicketType): Promise<{ current?: string; previous?: string }> {
    return this.cache.held(this.keys[type]);
  }

  getJsapiTicket(): Promise<string> {
    return this.getTicket('jsapi');
  }

  getCardTicket(): Promise<string> {
    return this.getTicket('wx_card');
  }

  private async fetchTicket(type: TicketType) {
    if (this.source && !this.source.ticketsFromWechat)
      return this.source.fetch(this.appId, type === 'jsapi' ? 'jsapi_ticket' : 'wx_card_ticket');
    const endpoint = 'cgi-bin/ticket/getticket';
    const answer = await this.tokens.withAccessToken((accessToken) =>
      this.transport.get<TicketAnswer>(endpoint, { access_token: accessToken, type }, this.context),
    );
    return validAnswer(answer.ticket, answer.expires_in, endpoint);
  }
}
