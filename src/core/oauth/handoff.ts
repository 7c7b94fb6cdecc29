import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../ports.js';
import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';
import type { SessionUser } from './session-user.js';

/**
 * The phone handoff: a computer's browser asks for a ticket, a phone opens the ticket's page in WeChat,
 * confirms, logs in with the Official Account's OAuth, and the computer then redeems the ticket for a
 * session of that user. The ticket is public (it is in the QR code); what collects the login is a second
 * secret that only the computer's browser holds (an HttpOnly cookie).
 *
 * Every step is a separate key in the shared store, each written once (SET NX), so two instances racing
 * on one ticket never overwrite each other: `record` (the ticket itself), `scanned`, `decision` (the one
 * compare-and-set of the phone: confirm or refuse), `outcome` (what was decided), `redeemed`.
 */

/** What the computer sees: the events of SPEC 3.11, and `used` once redeemed. */
export type HandoffState = 'pending' | 'scanned' | 'confirmed' | 'refused' | 'expired' | 'used';

/** Who asked for the login, shown on the phone's confirm page (against QR-login hijacking). */
export interface HandoffBrowser {
  userAgent: string;
  ip: string;
}

interface HandoffRecord {
  secretHash: string;
  createdAt: number;
  expiresAt: number;
  browser: HandoffBrowser;
  /** the account whose OAuth the phone uses; absent: the default account */
  appId?: string;
}

type Outcome = { decision: 'confirmed'; user: SessionUser } | { decision: 'refused' };

/** A new ticket: the ticket goes into the QR, the secret into the computer's HttpOnly cookie. */
export interface NewHandoff {
  ticket: string;
  secret: string;
  expiresAt: number;
}

/** What the phone's confirm page shows. */
export interface HandoffRequest {
  browser: HandoffBrowser;
  createdAt: number;
  expiresAt: number;
  appId?: string;
  state: HandoffState;
}

export interface HandoffSettings {
  store: WechatStore;
  keyPrefix: string;
  /** how long a ticket can be confirmed and redeemed */
  ttlMs: number;
  clock: Clock;
}

/** An expired or used ticket still answers 410 (not 404) this long after its expiry. */
export const HANDOFF_GRACE_MS = 10 * 60_000;
export const DEFAULT_HANDOFF_TTL_MS = 120_000;
/** 32 random bytes, base64url: 256 bits */
const TICKET = /^[A-Za-z0-9_-]{43}$/;
const newSecret = () => randomBytes(32).toString('base64url');
const hash = (value: string) => createHash('sha256').update(value).digest();

export const handoffNotFound = () =>
  new Problem(404, 'HANDOFF_NOT_FOUND', 'no such login handoff for this browser (it may have been asked for in another one)');
const expired = () => new Problem(410, 'HANDOFF_EXPIRED', 'the login handoff has expired; ask for a new QR code');
const used = () => new Problem(410, 'HANDOFF_USED', 'the login handoff has already been redeemed');

/** True for a string shaped like a ticket (anything else is never looked up). */
export const isHandoffTicket = (value: unknown): value is string => typeof value === 'string' && TICKET.test(value);

export class HandoffDesk {
  constructor(private readonly settings: HandoffSettings) {}

  /** A fresh ticket bound to the browser that asked (its secret goes into that browser's cookie). */
  async create(browser: HandoffBrowser, appId?: string): Promise<NewHandoff> {
    const ticket = newSecret();
    const secret = newSecret();
    const createdAt = this.settings.clock();
    const record: HandoffRecord = {
      secretHash: hash(secret).toString('base64url'),
      createdAt,
      expiresAt: createdAt + this.settings.ttlMs,
      browser: { userAgent: browser.userAgent.slice(0, 300), ip: browser.ip.slice(0, 64) },
      ...(appId ? { appId } : {}),
    };
    await this.settings.store.set(this.key(ticket, 'record'), record, this.settings.ttlMs + HANDOFF_GRACE_MS);
    return { ticket, secret, expiresAt: record.expiresAt };
  }

  /** The phone opened the ticket's page: marks it scanned and says who asked; 404 unknown, 410 expired or used. */
  async scan(ticket: string): Promise<HandoffRequest> {
    const record = await this.record(ticket);
    const state = await this.stateOf(ticket, record);
    if (state === 'expired') throw expired();
    if (state === 'used') throw used();
    if (state === 'pending') {
      await this.settings.store.set(this.key(ticket, 'scanned'), true, this.remaining(record));
    }
    return {
      browser: record.browser,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      ...(record.appId ? { appId: record.appId } : {}),
      state: state === 'pending' ? 'scanned' : state,
    };
  }

  /** The account whose OAuth the phone logs in with (undefined: the default account); 404 unknown, 410 expired. */
  async accountOf(ticket: string): Promise<string | undefined> {
    const record = await this.record(ticket);
    if (this.settings.clock() >= record.expiresAt) throw expired();
    return record.appId;
  }

  /** The phone's OAuth callback: binds the user to the ticket, once; a snapshot-page user is refused. */
  bind(ticket: string, user: SessionUser): Promise<void> {
    if (user.isSnapshotUser) {
      return Promise.reject(new Problem(403, 'SNAPSHOT_USER', 'a snapshot-page user cannot log in on a computer'));
    }
    return this.decide(ticket, { decision: 'confirmed', user });
  }

  /** The phone said no: the computer sees `refused` and cannot redeem. */
  refuse(ticket: string): Promise<void> {
    return this.decide(ticket, { decision: 'refused' });
  }

  /** The state the computer follows; 404 unless `secret` is the one its browser was given. */
  async state(ticket: string, secret: unknown): Promise<HandoffState> {
    const record = await this.ownRecord(ticket, secret);
    return this.stateOf(ticket, record);
  }

  /** The user the phone confirmed, once: 410 after expiry or a first redeem, 409 before the phone confirmed. */
  async redeem(ticket: string, secret: unknown): Promise<SessionUser> {
    const record = await this.ownRecord(ticket, secret);
    const state = await this.stateOf(ticket, record);
    if (state === 'expired') throw expired();
    if (state === 'used') throw used();
    const outcome = await this.outcome(ticket);
    if (outcome?.decision !== 'confirmed') {
      throw new Problem(409, 'HANDOFF_NOT_CONFIRMED', `the login has not been confirmed on the phone (${state})`);
    }
    const taken = await this.settings.store.lock(this.key(ticket, 'redeemed'), this.remaining(record) + HANDOFF_GRACE_MS);
    if (!taken) throw used();
    return outcome.user;
  }

  private async decide(ticket: string, outcome: Outcome): Promise<void> {
    const record = await this.record(ticket);
    if (this.settings.clock() >= record.expiresAt) throw expired();
    const ttlMs = this.remaining(record) + HANDOFF_GRACE_MS;
    // the one compare-and-set of the phone's side: the first decision stands
    const taken = await this.settings.store.lock(this.key(ticket, 'decision'), ttlMs);
    if (!taken) throw new Problem(409, 'HANDOFF_ALREADY_DECIDED', 'this login has already been confirmed or refused');
    await this.settings.store.set(this.key(ticket, 'outcome'), outcome, ttlMs);
  }

  private async stateOf(ticket: string, record: HandoffRecord): Promise<HandoffState> {
    const { store } = this.settings;
    if (await store.isLocked(this.key(ticket, 'redeemed'))) return 'used';
    if (this.settings.clock() >= record.expiresAt) return 'expired';
    const outcome = await this.outcome(ticket);
    if (outcome) return outcome.decision;
    // a decision being written, or a page opened on the phone
    if (await store.isLocked(this.key(ticket, 'decision'))) return 'scanned';
    return (await store.get(this.key(ticket, 'scanned'))) === true ? 'scanned' : 'pending';
  }

  private async outcome(ticket: string): Promise<Outcome | undefined> {
    const value = (await this.settings.store.get(this.key(ticket, 'outcome'))) as Outcome | null | undefined;
    return value?.decision === 'confirmed' || value?.decision === 'refused' ? value : undefined;
  }

  private async record(ticket: string): Promise<HandoffRecord> {
    if (!isHandoffTicket(ticket)) throw handoffNotFound();
    const record = (await this.settings.store.get(this.key(ticket, 'record'))) as HandoffRecord | null | undefined;
    if (!record || typeof record.secretHash !== 'string' || typeof record.expiresAt !== 'number') throw handoffNotFound();
    return record;
  }

  /** The ticket's record when `secret` is its browser's: a stranger learns nothing, not even that it exists. */
  private async ownRecord(ticket: string, secret: unknown): Promise<HandoffRecord> {
    const record = await this.record(ticket);
    const expected = Buffer.from(record.secretHash, 'base64url');
    if (typeof secret !== 'string' || expected.length !== 32 || !timingSafeEqual(hash(secret), expected)) throw handoffNotFound();
    return record;
  }

  private remaining(record: HandoffRecord): number {
    return Math.max(1, record.expiresAt - this.settings.clock());
  }

  // one hash slot per ticket (Redis Cluster); the ticket itself is hashed: store listings show no ticket
  private key(ticket: string, part: 'record' | 'scanned' | 'decision' | 'outcome' | 'redeemed'): string {
    return `${this.settings.keyPrefix}{handoff:${hash(ticket).toString('base64url')}}:${part}`;
  }
}
