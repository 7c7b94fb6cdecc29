import type { TicketType } from './credential-keys.js';

/** What the credential API hands out, by the name used in its routes and in the cache keys. */
export const CREDENTIAL_KINDS = ['access_token', 'jsapi_ticket', 'wx_card_ticket'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const isCredentialKind = (value: unknown): value is CredentialKind =>
  typeof value === 'string' && (CREDENTIAL_KINDS as readonly string[]).includes(value);

/** The ticket type behind a ticket kind. */
export const ticketTypeOf = (kind: Exclude<CredentialKind, 'access_token'>): TicketType =>
  kind === 'jsapi_ticket' ? 'jsapi' : 'wx_card';

/**
 * One credential as the API answers it. `expiresAt` (epoch ms) is when the holder must stop using
 * it: the cache's own safety margin before WeChat's expiry is already taken off.
 */
export interface IssuedCredential {
  appId: string;
  kind: CredentialKind;
  value: string;
  expiresAt: number;
  /** seconds from the answer to expiresAt */
  expiresIn: number;
}
