import { createHash, timingSafeEqual } from 'node:crypto';

/** A service allowed to read credentials: its name (in logs and metrics) and its bearer secret. */
export interface CredentialConsumer {
  name: string;
  secret: string;
}

export const CONSUMER_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MIN_CONSUMER_SECRET_LENGTH = 32;

/**
 * Reads `consumer:secret,consumer:secret`. Returns the consumers, or the problems found, each
 * naming the entry by position and consumer, never showing a secret.
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
      const name = colon < 0 ? '' : entry.slice(0, colon).trim();
      const secret = colon < 0 ? '' : entry.slice(colon + 1).trim();
      const where = `entry ${index + 1}`;
      if (!CONSUMER_NAME_PATTERN.test(name))
        problems.push(`${where}: must be consumer:secret, the name 1-64 of A-Z a-z 0-9 _ . -`);
      else if (secret.length < MIN_CONSUMER_SECRET_LENGTH)
        problems.push(`${where} (${name}): the secret must be at least ${MIN_CONSUMER_SECRET_LENGTH} characters`);
      else if (consumers.some((c) => c.name === name)) problems.push(`${where} (${name}): the name appears twice`);
      else consumers.push({ name, secret });
    });
  return { consumers, problems };
}

/** Checks consumers' own list handed to the module; throws with the first problem. */
export function checkConsumers(consumers: readonly CredentialConsumer[]): CredentialConsumer[] {
  const seen = new Set<string>();
  return consumers.map(({ name, secret }, index) => {
    const where = `consumers[${index}]`;
    if (typeof name !== 'string' || !CONSUMER_NAME_PATTERN.test(name))
      throw new Error(`CredentialApiModule: ${where}.name must be 1-64 of A-Z a-z 0-9 _ . -`);
    if (typeof secret !== 'string' || secret.length < MIN_CONSUMER_SECRET_LENGTH)
      throw new Error(`CredentialApiModule: ${where}.secret must be at least ${MIN_CONSUMER_SECRET_LENGTH} characters`);
    if (seen.has(name)) throw new Error(`CredentialApiModule: ${where}.name appears twice`);
    seen.add(name);
    return { name, secret };
  });
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Tells which consumer an `Authorization: Bearer <secret>` header belongs to. Every known secret
 * is compared, in constant time over fixed-length digests, whatever matched before: neither the
 * time taken nor an early exit tells how much of a guess was right, or which consumer was near.
 */
export class ConsumerAuth {
  private readonly known: { name: string; digest: Buffer }[];

  constructor(consumers: readonly CredentialConsumer[]) {
    this.known = consumers.map(({ name, secret }) => ({ name, digest: digest(secret) }));
  }

  /** The consumer's name, or undefined for a missing, malformed or unknown bearer. */
  identify(authorization: unknown): string | undefined {
    if (typeof authorization !== 'string' || authorization.length > 1024) return undefined;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: string | undefined;
    for (const { name, digest: expected } of this.known) {
      if (timingSafeEqual(presented, expected) && found === undefined) found = name;
    }
    return found;
  }
}
