import { accountKey } from '../account-keys.js';
import type { CredentialCache, FetchedCredential } from '../credentials/credential-cache.js';
import { validAnswer } from '../credentials/account-tokens.js';
import type { CallContext, Transport } from '../ports.js';
import type { VerifyTickets } from './verify-ticket.js';

export interface ComponentCredentials {
  componentAppId: string;
  componentAppSecret: string;
}

const ENDPOINT = 'cgi-bin/component/api_component_token';

/**
 * The platform's `component_access_token`, with the same two tiers and one fetch per window
 * cluster-wide as an account's access_token. Without a verify ticket nothing is sent to WeChat
 * (503 COMPONENT_TICKET_MISSING): an empty ticket would only earn 61006.
 */
export class ComponentToken {
  private readonly key: string;
  private readonly context: CallContext;
  private readonly fetcher = (): Promise<FetchedCredential> => this.fetch();

  constructor(
    private readonly credentials: ComponentCredentials,
    private readonly tickets: VerifyTickets,
    private readonly cache: CredentialCache,
    private readonly transport: Transport,
    keyPrefix: string,
  ) {
    this.key = accountKey(keyPrefix, credentials.componentAppId, 'component_access_token');
    this.context = { appId: credentials.componentAppId };
  }

  get(): Promise<string> {
    return this.cache.get(this.key, this.fetcher);
  }

  /** WeChat rejected `stale` (40001, 42001): a newer one if another instance has it, else a fetch. */
  replace(stale: string): Promise<string> {
    return this.cache.replace(this.key, stale, this.fetcher);
  }

  private async fetch(): Promise<FetchedCredential> {
    const ticket = await this.tickets.current();
    const answer = await this.transport.post<{ component_access_token?: unknown; expires_in?: unknown }>(
      ENDPOINT,
      {
        component_appid: this.credentials.componentAppId,
        component_appsecret: this.credentials.componentAppSecret,
        component_verify_ticket: ticket,
      },
      undefined,
      this.context,
    );
    return validAnswer(answer.component_access_token, answer.expires_in, ENDPOINT);
  }
}
