import type { FetchedCredential } from '../credentials/credential-cache.js';
import type { CredentialKind } from '../credentials/credential-kinds.js';
import type { CredentialSource } from '../credentials/credential-source.js';
import { Problem } from '../problem.js';
import { AuthorizerNeedsAuthorizationError, type ComponentApi } from './component-api.js';
import type { AuthorizerRepository } from './authorizers.js';

/**
 * Where an authorizer's access_token comes from: `api_authorizer_token` with its kept refresh token
 * (and the refresh token WeChat returns is kept in its place). Its tickets are fetched from WeChat
 * as any account's, with that token. A refused refresh token (61023) marks the authorizer as
 * needing a new authorization, and then nothing more is asked of WeChat for it.
 */
export class AuthorizerTokenSource implements CredentialSource {
  readonly ticketsFromWechat = true;

  constructor(
    private readonly api: ComponentApi,
    private readonly authorizers: AuthorizerRepository,
  ) {}

  async fetch(appId: string, kind: CredentialKind): Promise<FetchedCredential> {
    if (kind !== 'access_token')
      throw new Error(`an authorizer's ${kind} is fetched with its access_token, not from the platform`);
    const record = await this.authorizers.load(appId);
    if (!record) throw new Problem(404, 'UNKNOWN_ACCOUNT', `${appId} has not authorized this platform`);
    if (record.needsAuthorization) throw new AuthorizerNeedsAuthorizationError(appId);
    try {
      const { refreshToken, ...token } = await this.api.authorizerToken(appId, record.refreshToken);
      if (refreshToken !== record.refreshToken) await this.authorizers.save({ ...record, refreshToken });
      return token;
    } catch (error) {
      if (error instanceof AuthorizerNeedsAuthorizationError) {
        await this.authorizers.save({ ...record, needsAuthorization: true });
      }
      throw error;
    }
  }

  /** WeChat rejected `value`: api_authorizer_token hands out a fresh one. */
  reportInvalid(appId: string): Promise<FetchedCredential> {
    return this.fetch(appId, 'access_token');
  }
}
