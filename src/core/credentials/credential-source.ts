import { Problem } from '../problem.js';
import type { FetchedCredential } from './credential-cache.js';
import { isPlausibleCredential } from './credential-store.js';
import type { CredentialKind } from './credential-kinds.js';

/**
 * Where an account's access_token and tickets come from when this service is not the one that
 * calls WeChat for them: a central credential server. The cache in front of it is the same
 * (one read per window, cluster-wide); a token WeChat rejected is reported, never refreshed here.
 */
export interface CredentialSource {
  /** the current value of `kind` for `appId` */
  fetch(appId: string, kind: CredentialKind): Promise<FetchedCredential>;
  /** WeChat rejected this access_token: the source replaces it if it is still its current one */
  reportInvalid(appId: string, value: string): Promise<FetchedCredential>;
  /** true: the source gives the access_token only, and tickets are fetched from WeChat with it */
  readonly ticketsFromWechat?: boolean;
}

/** A central server speaking this package's credential API (GET .../:kind, POST .../access_token/invalid). */
export interface RemoteCredentialSourceOptions {
  /** where the API is mounted, e.g. https://central.internal/wechat/credentials */
  url: string;
  /** this consumer's bearer secret */
  token: string;
  /** the longest one call may take, ms; default 5000 */
  timeoutMs?: number;
}

/** The longest answer read from the source: a credential answer is a few hundred bytes. */
const ANSWER_LIMIT = 16 * 1024;

/**
 * Reads credentials from a central server over HTTP. A network failure, a timeout or a 5xx is
 * retried once, then 503 `CREDENTIAL_SOURCE_UNAVAILABLE`; a refusal (401, 404) is reported as 502 `CREDENTIAL_SOURCE_REFUSED`
 * with the status, so a wrong token or appId is told apart from an outage. The bearer never
 * appears in a message.
 */
export class RemoteCredentialSource implements CredentialSource {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly options: RemoteCredentialSourceOptions,
    private readonly now: () => number = Date.now,
  ) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error('credentialSource.url: must be an absolute http(s) url');
    }
    if (!/^https?:$/.test(url.protocol) || url.username || url.password)
      throw new Error('credentialSource.url: must be an http(s) url without credentials in it');
    if (!options.token) throw new Error('credentialSource.token: is required');
    this.base = url.href.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  fetch(appId: string, kind: CredentialKind): Promise<FetchedCredential> {
    return this.call(appId, kind, 'GET', `${encodeURIComponent(appId)}/${kind}`);
  }

  reportInvalid(appId: string, value: string): Promise<FetchedCredential> {
    return this.call(appId, 'access_token', 'POST', `${encodeURIComponent(appId)}/access_token/invalid`, { value });
  }

  private async call(appId: string, kind: CredentialKind, method: string, path: string, body?: object) {
    let reason = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.base}/${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed';
        continue;
      }
      const text = await readBounded(response);
      if (response.status >= 500 || response.status === 429) {
        reason = `HTTP ${response.status}`;
        continue;
      }
      if (response.status !== 200) {
        throw new Problem(502, 'CREDENTIAL_SOURCE_REFUSED', `the credential source answered HTTP ${response.status}`, {
          status: response.status,
        });
      }
      const credential = this.parse(text, appId, kind);
      if (credential) return credential;
      reason = 'the answer carries no plausible credential';
    }
    throw new Problem(503, 'CREDENTIAL_SOURCE_UNAVAILABLE', `the credential source is unavailable: ${reason}`);
  }

  private parse(text: string | undefined, appId: string, kind: CredentialKind): FetchedCredential | undefined {
    let answer: { appId?: unknown; kind?: unknown; value?: unknown; expiresAt?: unknown };
    try {
      answer = JSON.parse(text ?? '') as typeof answer;
    } catch {
      return undefined;
    }
    if (!answer || answer.appId !== appId || answer.kind !== kind || !isPlausibleCredential(answer.value)) return undefined;
    if (typeof answer.expiresAt !== 'number' || !Number.isFinite(answer.expiresAt)) return undefined;
    return { value: answer.value, expiresInSec: Math.max(0, (answer.expiresAt - this.now()) / 1000) };
  }
}

/** The body as text, at most ANSWER_LIMIT bytes (undefined when longer). */
async function readBounded(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // leaving the loop cancels the rest of the body
    if (size > ANSWER_LIMIT) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
