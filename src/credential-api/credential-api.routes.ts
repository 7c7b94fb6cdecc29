import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WechatAccounts } from '../accounts/wechat-accounts.js';
import { GlobalPrefix } from '../common/global-prefix.js';
import { mountJsonRoutes, type JsonReply, type JsonRequest } from '../common/json-routes.js';
import { Problem } from '../common/problem.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { WechatEvents } from '../wechat/wechat-events.js';
import { ConsumerAuth, type CredentialConsumer } from './consumers.js';
import { CredentialDesk } from './credential-desk.js';
import { isCredentialKind } from './credential-kinds.js';
import { ISSUED_CREDENTIAL_SCHEMA } from './credential-api.schemas.js';

export const CREDENTIAL_API_CONSUMERS = Symbol('CREDENTIAL_API_CONSUMERS');
export const CREDENTIAL_API_MOUNT = Symbol('CREDENTIAL_API_MOUNT');
export const DEFAULT_CREDENTIAL_API_MOUNT = '/wechat/credentials';

/** How an unrecognised caller is labelled in metrics (no consumer name can contain parentheses). */
const UNKNOWN_CONSUMER = '(unknown)';
const INVALID_REPORT = 'access_token/invalid';

/**
 * The credential API's two routes, served by the platform directly (a consumer may ask often,
 * and the answer comes from memory): rate limit first, then the bearer, then the desk.
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
  ) {
    this.auth = new ConsumerAuth(consumers);
    this.desk = new CredentialDesk(accounts);
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
          // the warm path stays synchronous: no rate limit to ask, the credential in memory
          if (!this.limiter.enabled) return this.read(request, reply, appId, kind, label);
          return this.limiter.admit(request, reply).then(() => this.read(request, reply, appId, kind, label));
        },
      },
      {
        method: 'POST',
        path: `${base}/:appId/access_token/invalid`,
        answer: ISSUED_CREDENTIAL_SCHEMA,
        handle: async (request, reply) => {
          const { appId = '' } = request.params;
          await this.limiter.admit(request, reply);
          const consumer = this.authenticate(request, reply, INVALID_REPORT);
          const value = (request.body as { value?: unknown } | undefined)?.value;
          const answer = await this.desk.reportInvalid(appId, value);
          this.logger.log(`${consumer} reported the access_token of ${appId} as rejected by WeChat`);
          return answer;
        },
      },
    ]);
  }

  private read(request: JsonRequest, reply: JsonReply, appId: string, kind: string, label: string) {
    this.authenticate(request, reply, label);
    return this.desk.read(appId, kind);
  }

  /**
   * The consumer's name, counted in the metrics under `kind`; 401 without a valid bearer. The rate
   * limit is asked first (RateLimiter.admit), so guessing bearers is limited too.
   */
  private authenticate(request: JsonRequest, reply: JsonReply, kind: string): string {
    const consumer = this.auth.identify(request.headers.authorization);
    if (consumer !== undefined) {
      this.events.credentialRequest(consumer, kind);
      return consumer;
    }
    this.events.credentialRequest(UNKNOWN_CONSUMER, kind);
    this.logger.warn(`refused a request without a valid bearer token from ${request.ip ?? 'an unknown address'}`);
    reply.header('www-authenticate', 'Bearer realm="wechat-credentials"');
    throw new Problem(401, 'UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <secret>)');
  }
}
