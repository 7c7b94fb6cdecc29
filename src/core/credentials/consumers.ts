import { createHash, timingSafeEqual } from 'node:crypto';

/** A service allowed to read credentials: its name (in logs and metrics), its bearer secret, and the accounts it may read. */
export interface CredentialConsumer {
  name: string;
  secret: string;
  /** the only accounts it may read; absent: every configured account */
  appIds?: string[];
}

export const CONSUMER_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MIN_CONSUMER_SECRET_LENGTH = 32;
const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `name` or `name@appId1|appId2`: the consumer's name and the accounts it is limited to. */
function parseIdentity(identity: string): { name: string; appIds?: string[] } | undefined {
  const at = identity.indexOf('@');
  if (at < 0) return { name: identity };
  const appIds = identity
    .slice(at + 1)
    .split('|')
    .map((id) => id.trim());
  if (appIds.some((id) => !APP_ID.test(id))) return undefined;
  return { name: identity.slice(0, at).trim(), appIds };
}

/**
 * Reads `consumer:secret,consumer@appId1|appId2:secret`. Returns the consumers, or the problems
 * found, each naming the entry by position and consumer, never showing a secret.
 */
export function parseConsumers(raw: string): { consumers: CredentialConsumer[]; problems: string[] } {
  const consumers: CredentialConsumer[] = [];
  const problems: string[] = [];
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const identity = parseIdentity(colon < 0 ? '' : entry.slice(0, colon).trim());
      const name = identity?.name ?? '';
      const secret = colon < 0 ? '' : entry.slice(colon + 1).trim();
      const where = `entry ${index + 1}`;
      if (!identity) problems.push(`${where}: the accounts after @ must be appIds separated by |`);
      else if (!CONSUMER_NAME_PATTERN.test(name))
        problems.push(`${where}: must be consumer:secret or consumer@appId1|appId2:secret, the name 1-64 of A-Z a-z 0-9 _ . -`);
      else if (secret.length < MIN_CONSUMER_SECRET_LENGTH)
        problems.push(`${where} (${name}): the secret must be at least ${MIN_CONSUMER_SECRET_LENGTH} characters`);
      else if (consumers.some((c) => c.name === name)) problems.push(`${where} (${name}): the name appears twice`);
      else if (consumers.some((c) => c.secret === secret))
        problems.push(`${where} (${name}): the secret is another consumer's too; each needs its own`);
      else consumers.push({ name, secret, ...(identity.appIds && { appIds: identity.appIds }) });
    });
  return { consumers, problems };
}

/** Checks consumers' own list handed to the module; throws with the first problem. */
export function checkConsumers(consumers: readonly CredentialConsumer[]): CredentialConsumer[] {
  const seen = new Set<string>();
  const secrets = new Set<string>();
  return consumers.map(({ name, secret, appIds }, index) => {
    const where = `consumers[${index}]`;
    if (typeof name !== 'string' || !CONSUMER_NAME_PATTERN.test(name))
      throw new Error(`CredentialApiModule: ${where}.name must be 1-64 of A-Z a-z 0-9 _ . -`);
    if (typeof secret !== 'string' || secret.length < MIN_CONSUMER_SECRET_LENGTH)
      throw new Error(`CredentialApiModule: ${where}.secret must be at least ${MIN_CONSUMER_SECRET_LENGTH} characters`);
    if (appIds !== undefined && (!Array.isArray(appIds) || appIds.some((id) => typeof id !== 'string' || !APP_ID.test(id))))
      throw new Error(`CredentialApiModule: ${where}.appIds must be a list of appIds`);
    if (seen.has(name)) throw new Error(`CredentialApiModule: ${where}.name appears twice`);
    // a bearer must name one consumer: with a shared secret only the first's name and accounts would apply
    if (secrets.has(secret))
      throw new Error(`CredentialApiModule: ${where}.secret is another consumer's too; each needs its own`);
    seen.add(name);
    secrets.add(secret);
    return { name, secret, ...(appIds && { appIds: [...appIds] }) };
  });
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** A consumer as the API knows it once its bearer matched. */
export interface VerifiedConsumer {
  name: string;
  /** true when it may read this account */
  mayRead(appId: string): boolean;
}

/**
 * Tells which consumer an `Authorization: Bearer <secret>` header belongs to. Every known secret
 * is compared, in constant time over fixed-length digests, whatever matched before: neither the
 * time taken nor an early exit tells how much of a guess was right, or which consumer was near.
 */
export class ConsumerAuth {
  private readonly known: { consumer: VerifiedConsumer; digest: Buffer }[];

  constructor(consumers: readonly CredentialConsumer[]) {
    this.known = consumers.map(({ name, secret, appIds }) => {
      const allowed = appIds && new Set(appIds);
      return { consumer: { name, mayRead: (appId) => !allowed || allowed.has(appId) }, digest: digest(secret) };
    });
  }

  /** The consumer, or undefined for a missing, malformed or unknown bearer. */
  identify(authorization: unknown): VerifiedConsumer | undefined {
    if (typeof authorization !== 'string' || authorization.length > 1024) return undefined;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: VerifiedConsumer | undefined;
    for (const { consumer, digest: expected } of this.known) {
      if (timingSafeEqual(presented, expected) && found === undefined) found = consumer;
    }
    return found;
  }
}
