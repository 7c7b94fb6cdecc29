import type { Logger } from '../ports.js';
import type { AuthorizerRepository } from './authorizers.js';
import type { ComponentApi } from './component-api.js';
import { type ComponentPushKeys, readComponentPush } from './component-push.js';
import type { VerifyTickets } from './verify-ticket.js';

export interface ComponentDeskSettings {
  keys: ComponentPushKeys;
  tickets: VerifyTickets;
  api: ComponentApi;
  authorizers: AuthorizerRepository;
  log: Logger;
  now?: () => number;
}

/** What a verified push did (for logs and metrics; the answer to WeChat is always `success`). */
export type ComponentPushOutcome = 'ticket' | 'stale_ticket' | 'authorized' | 'unauthorized' | 'ignored' | 'failed';

/**
 * The platform's event url and its authorization callback, framework-free: the verify ticket kept,
 * an authorization turned into a kept authorizer (its refresh token), a revoked one forgotten.
 */
export class ComponentDesk {
  constructor(private readonly settings: ComponentDeskSettings) {}

  /**
   * One push to the event url. A wrong signature or an unreadable body throws (401 / 400) before
   * anything is kept; once verified, the push is answered `success` whatever came of it, as WeChat wants.
   */
  async receive(body: string | Buffer, query: Record<string, unknown>): Promise<ComponentPushOutcome> {
    const event = readComponentPush(body, query, this.settings.keys);
    switch (event.type) {
      case 'component_verify_ticket':
        return (await this.settings.tickets.save(event.ticket, event.createTime)) ? 'ticket' : 'stale_ticket';
      case 'authorized':
      case 'updateauthorized':
        return this.authorize(event.authorizationCode).then(
          () => 'authorized' as const,
          (error: unknown) => {
            this.settings.log.warn(
              `the authorization of ${event.authorizerAppId} could not be completed (${(error as Error)?.name ?? 'error'}); its callback may still complete it`,
            );
            return 'failed' as const;
          },
        );
      case 'unauthorized':
        await this.settings.authorizers.remove(event.authorizerAppId);
        this.settings.log.log(`${event.authorizerAppId} revoked its authorization of the platform`);
        return 'unauthorized';
      default:
        return 'ignored';
    }
  }

  /** An authorization code (the callback's `auth_code`, or an `authorized` push): the authorizer kept, its appId answered. */
  async authorize(authorizationCode: string): Promise<string> {
    const authorization = await this.settings.api.queryAuth(authorizationCode);
    const previous = await this.settings.authorizers.load(authorization.authorizerAppId);
    const refreshToken = authorization.refreshToken ?? previous?.refreshToken;
    if (!refreshToken) {
      throw new Error(`the authorization of ${authorization.authorizerAppId} granted no API permission sets (no refresh token)`);
    }
    await this.settings.authorizers.save({
      authorizerAppId: authorization.authorizerAppId,
      refreshToken,
      permissionSets: authorization.permissionSets,
      authorizedAt: new Date((this.settings.now ?? Date.now)()).toISOString(),
    });
    return authorization.authorizerAppId;
  }
}
