import { CredentialCache } from '../credentials/credential-cache.js';
import type { Transport } from '../ports.js';
import type { WechatStore } from '../wechat-store.js';
import { ComponentToken } from './component-token.js';
import { VerifyTickets } from './verify-ticket.js';

/** What the component specs share: the platform's appId, the cache timing, its tickets and token over one store. */
export const COMPONENT = 'wxc0c0c0c0c0c0c0c0';

export const TIMING = {
  lockTtlMs: 5000,
  waitBudgetMs: 2000,
  pollIntervalMs: 5,
  backgroundRetryMs: 1000,
  failureCooldownMs: 0,
  inflightDeadlineMs: 10_000,
};

/** The platform's verify tickets and component_access_token on `store` (key prefix `p:`), asking WeChat through `transport`. */
export function platformToken(
  store: WechatStore,
  transport: Transport,
  credentials = { componentAppId: COMPONENT, componentAppSecret: 's' },
): { tickets: VerifyTickets; token: ComponentToken } {
  const tickets = new VerifyTickets(store, 'p:', credentials.componentAppId);
  return { tickets, token: new ComponentToken(credentials, tickets, new CredentialCache(store, TIMING), transport, 'p:') };
}

/** A verify ticket pushed just now. */
export const pushTicket = (tickets: VerifyTickets, ticket = 'ticket@@@now') =>
  tickets.save(ticket, Math.floor(Date.now() / 1000));
