import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { GlobalPrefix } from '../http/global-prefix.js';
import { mountJsonRoutes, type JsonReply, type JsonRequest } from '../http/json-routes.js';
import { Problem } from '../../core/problem.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { WechatEvents } from '../../core/events.js';
import { ConsumerAuth, type CredentialConsumer, type VerifiedConsumer } from '../../core/credentials/consumers.js';
import { CredentialDesk, type ReportRules } from '../../core/credentials/credential-desk.js';
import { isCredentialKind } from '../../core/credentials/credential-kinds.js';
import { ISSUED_CREDENTIAL_SCHEMA } from './credential-api.schemas.js';

export const CREDENTIAL_API_CONSUMERS = Symbol('CREDENTIAL_API_CONSUMERS');
export const CREDENTIAL_API_MOUNT = Symbol('CREDENTIAL_API_MOUNT');
export const CREDENTIAL_API_REPORTS = Symbol('CREDENTIAL_API_REPORTS');
export const DEFAULT_CREDENTIAL_API_MOUNT = '/wechat/credentials';

/** How an unrecognised caller is labelled in metrics (no consumer name can contain parentheses). */
const UNKNOWN_CONSUMER = '(unknown)';
const INVALID_REPORT = 'access_token/invalid';

/**
 * The credential API's two routes, served by the platform directly (a consumer may ask often,
 * and the answer comes from memory): the bearer first (in constant time), then the consumer's own
 * rate limit (a failed bearer counts against its address's small budget instead), then the desk.
 */
@Injectable()
export class CredentialApiRoutes implements OnModuleInit {
  private readonly logger = new Logger('CredentialApi');
  private readonly auth: ConsumerAuth;
  private readonly desk: CredentialDesk;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    accounts: WechatAccounts,
    private readonly limiter: RateLimiter,
    private readonly events: WechatEvents,
    private readonly prefix: GlobalPrefix,
    @Inject(CREDENTIAL_API_CONSUMERS) consumers: CredentialConsumer[],
    @Inject(CREDENTIAL_API_MOUNT) readonly mount: string,
    @Inject(CREDENTIAL_API_REPORTS) reports: ReportRules,
  ) {
    this.auth = new ConsumerAuth(consumers);
    this.desk = new CredentialDesk(accounts, reports);
  }

  onModuleInit(): void {
    const base = this.prefix.apply(this.mount);
    mountJsonRoutes(this.adapterHost, 'CredentialApiModule', [
      {
        method: 'GET',
        path: `${base}/:appId/:kind`,
        answer: ISSUED_CREDENTIAL_SCHEMA,
        handle: (request, reply) => {
          const { appId = '', kind = '' } = request.params;
          const label = isCredentialKind(kind) ? kind : 'other';
          const consumer = this.auth.identify(request.headers.authorization);
          if (!consumer) return this.refuse(request, reply, label);
          this.events.credentialRequest(consumer.name, label);
          // the warm path stays synchronous: no rate limit to ask, the credential in memory
          if (!this.limiter.enabled) return this.desk.read(this.readable(consumer, appId), kind);
          return this.limiter
            .admitKey('credentials', consumer.name, reply)
            .then(() => this.desk.read(this.readable(consumer, appId), kind));
        },
      },
      {
        method: 'POST',
        path: `${base}/:appId/access_token/invalid`,
        answer: ISSUED_CREDENTIAL_SCHEMA,
        handle: async (request, reply) => {
          const { appId = '' } = request.params;
          const consumer = this.auth.identify(request.headers.authorization);
          if (!consumer) return this.refuse(request, reply, INVALID_REPORT);
          this.events.credentialRequest(consumer.name, INVALID_REPORT);
          await this.limiter.admitKey('credentials', consumer.name, reply);
          const value = (request.body as { value?: unknown } | undefined)?.value;
          const answer = await this.desk.reportInvalid(this.readable(consumer, appId), value);
          this.logger.log(`${consumer.name} reported the access_token of ${appId} as rejected by WeChat`);
          return answer;
        },
      },
    ]);
  }

  /** The appId when the consumer may read it; otherwise 404 `UNKNOWN_ACCOUNT`, as for an account not configured. */
  private readable(consumer: VerifiedConsumer, appId: string): string {
    if (!consumer.mayRead(appId)) throw new Problem(404, 'UNKNOWN_ACCOUNT', 'appId is not one of the configured accounts');
    return appId;
  }

  /**
   * 401 for a missing or unknown bearer, counted against the address's small budget of failures:
   * past it 429, so guessing stays slow, while a valid bearer from the same address is never held back.
   */
  private async refuse(request: JsonRequest, reply: JsonReply, kind: string): Promise<never> {
    this.events.credentialRequest(UNKNOWN_CONSUMER, kind);
    this.logger.warn(`refused a request without a valid bearer token from ${request.ip ?? 'an unknown address'}`);
    await this.limiter.admit('bearer', request, reply);
    reply.header('www-authenticate', 'Bearer realm="wechat-credentials"');
    throw new Problem(401, 'UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <secret>)');
  }
}
