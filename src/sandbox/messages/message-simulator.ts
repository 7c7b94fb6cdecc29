import { randomInt, randomUUID } from 'node:crypto';
import type { StateResult } from '../credential-state.js';
import type { SandboxAccount } from '../default-account.js';
import { wechatError } from '../errors.js';
import { checkCustomBody, CUSTOM_WINDOW_MS, type SandboxCustomMessage } from './custom-message.js';
import type { XmlFields } from './message-xml.js';
import { deliverPush, type SandboxPushAttempt } from './push-delivery.js';
import {
  MESSAGE_MODES,
  PUSH_KINDS,
  pushFields,
  type PushMessage,
  type SandboxMessageMode,
  type SandboxPushKind,
} from './push-message.js';

/** What the message simulator needs of the rest of the sandbox. */
export interface MessageWorld {
  /** ms clock */
  now: () => number;
  /** how long each try waits for the answer (WeChat: 5000) */
  replyWaitMs: number;
  /** resolved accounts (originalId filled in) */
  accounts: readonly SandboxAccount[];
  /** test user keys; the first is the default */
  userKeys: readonly string[];
  openidOf: (appId: string, userKey: string) => string;
  /** registers a voice the user sent in the media store; returns its media id */
  registerVoice: (appId: string) => string;
}

/** What the simulated user does, and where the account's messages go. */
export interface SandboxPushRequest {
  /** default: the first account */
  appId?: string;
  /** test user key; default: the first user */
  user?: string;
  kind: SandboxPushKind;
  /** text: what the user typed */
  content?: string;
  /** click: the menu item's key; subscribe: optional (e.g. qrscene_…) */
  eventKey?: string;
  /** default: safe when the account has a messageAesKey, else plain */
  mode?: SandboxMessageMode;
  /** the service's message url (http or https) */
  url: string;
}

/** One push as the sandbox recorded it: the message (same for every try), each try, and the passive reply. */
export interface SandboxMessagePush {
  id: string;
  appId: string;
  user: string;
  openid: string;
  kind: SandboxPushKind;
  mode: SandboxMessageMode;
  /** the url as given, without the signed query */
  url: string;
  /** the plain fields sent (before encryption) */
  message: Record<string, string>;
  /** 20 digits; text and voice only */
  msgId?: string;
  createTime: number;
  /** voice: the media ids registered in the sandbox's media store */
  mediaId?: string;
  mediaId16K?: string;
  attempts: SandboxPushAttempt[];
  /** pending while tries go on; replied: a valid passive reply; success: `success` or empty; failed: no valid answer in 3 tries */
  outcome: 'pending' | 'replied' | 'success' | 'failed';
  /** the decoded passive reply's fields, or 'success' */
  reply?: 'success' | XmlFields;
  replyForm?: 'plain' | 'encrypted';
  /** why the last try failed */
  problem?: string;
}

/** A push request the sandbox cannot play; the message never names a token or key. */
export class SandboxMessageError extends Error {
  constructor(message: string) {
    super(`sandbox: ${message}`);
  }
}

interface AccountState {
  pushes: SandboxMessagePush[];
  custom: SandboxCustomMessage[];
  /** per openid: when the user last wrote or acted (undefined after unsubscribe) */
  lastContact: Map<string, number>;
}

/** Records kept per account and list; the oldest go first. */
export const MAX_RECORDS = 1000;
const MAX_CONTENT = 2048;
const MAX_EVENT_KEY = 128;
const MAX_URL = 2048;

const isOptionalString = (v: unknown) => v === undefined || typeof v === 'string';

/**
 * The simulated message push (服务器配置) and customer-service API (`sandbox.messages`): the user's messages and
 * events POSTed to the service's url as WeChat does (signed, encrypted in the compatible and safe modes, 3 tries of
 * `messageReplyWaitMs` each), the passive replies decoded and checked, and the 48-hour window of custom/send.
 */
export class MessageSimulator {
  private readonly states = new Map<string, AccountState>();
  private readonly openids = new Map<string, Map<string, string>>();
  private controller = new AbortController();
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private msgSeq = 0;
  private readonly msgBase = 24_000_000_000_000_000_000n + BigInt(randomInt(0, 2 ** 47)) * 1000n;

  constructor(private readonly world: MessageWorld) {
    for (const account of world.accounts) {
      this.states.set(account.appId, { pushes: [], custom: [], lastContact: new Map() });
    }
  }

  /** Plays the user's action and pushes it; resolves with the record once the reply came or the tries ran out. */
  async push(request: SandboxPushRequest): Promise<SandboxMessagePush> {
    const { account, user, mode, url } = this.checkRequest(request);
    const { appId } = account;
    const state = this.state(appId);
    const openid = this.world.openidOf(appId, user);
    const now = this.world.now();
    // the user acted: the service window opens now (or closes, for an unfollow), answered or not
    if (request.kind === 'unsubscribe') state.lastContact.delete(openid);
    else state.lastContact.set(openid, now);

    const message: PushMessage = {
      toUserName: account.originalId as string,
      fromUserName: openid,
      createTime: Math.floor(now / 1000),
      kind: request.kind,
      ...(request.kind === 'text' && { content: request.content }),
      ...(request.eventKey !== undefined &&
        (request.kind === 'click' || request.kind === 'subscribe') && { eventKey: request.eventKey }),
      ...((request.kind === 'text' || request.kind === 'voice') && { msgId: this.nextMsgId() }),
    };
    if (request.kind === 'voice') {
      message.mediaId = this.world.registerVoice(appId);
      message.mediaId16K = this.world.registerVoice(appId);
    }
    const record: SandboxMessagePush = {
      id: randomUUID(),
      appId,
      user,
      openid,
      kind: request.kind,
      mode,
      url,
      message: plainFields(message),
      ...(message.msgId !== undefined && { msgId: message.msgId }),
      createTime: message.createTime,
      ...(message.mediaId !== undefined && { mediaId: message.mediaId, mediaId16K: message.mediaId16K }),
      attempts: [],
      outcome: 'pending',
    };
    keep(state.pushes, record);

    this.inFlight++;
    try {
      const token = account.messageToken as string;
      const aesKey = mode === 'plain' ? undefined : account.messageAesKey;
      const result = await deliverPush(
        {
          url,
          message,
          mode,
          secrets: { appId, token, aesKey },
          reply: { mode, appId, token, aesKey, openid, originalId: message.toUserName },
        },
        { now: this.world.now, waitMs: this.world.replyWaitMs, signal: this.controller.signal },
        record.attempts,
      );
      Object.assign(record, result);
      return structuredClone(record);
    } finally {
      this.release();
    }
  }

  /** The pushes to `appId`, oldest first (pending ones included). */
  pushes(appId: string): SandboxMessagePush[] {
    return structuredClone(this.states.get(appId)?.pushes ?? []);
  }

  /** cgi-bin/message/custom/send for a token already checked to be `appId`'s: 40003, 45015, or ok and recorded. */
  sendCustom(appId: string, body: Record<string, unknown>): StateResult<{ errcode: 0; errmsg: 'ok' }> {
    const check = checkCustomBody(body);
    if (!check.ok) return check;
    const user = this.userOf(appId, check.touser);
    if (user === undefined) return { ok: false, ...wechatError(40003) };
    const state = this.state(appId);
    const now = this.world.now();
    const last = state.lastContact.get(check.touser);
    if (last === undefined || now - last >= CUSTOM_WINDOW_MS) {
      return { ok: false, ...wechatError(45015, 'response out of time limit or subscription is canceled') };
    }
    keep(state.custom, { at: now, touser: check.touser, user, msgtype: check.msgtype, body: structuredClone(body) });
    return { ok: true, body: { errcode: 0, errmsg: 'ok' } };
  }

  /** The customer-service messages `appId` sent, oldest first. */
  customMessages(appId: string): SandboxCustomMessage[] {
    return structuredClone(this.states.get(appId)?.custom ?? []);
  }

  /** Resolves when no push is in flight. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Aborts the pushes in flight (no more tries); later pushes work again. */
  stop(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }

  private checkRequest(request: SandboxPushRequest) {
    const r = request as unknown as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) throw new SandboxMessageError('a push request must be an object');
    const appId = r.appId ?? this.world.accounts[0].appId;
    const account = this.world.accounts.find((a) => a.appId === appId);
    if (!account) throw new SandboxMessageError('unknown appId');
    if (account.messageToken === undefined) throw new SandboxMessageError(`account ${account.appId} has no messageToken`);
    const user = r.user ?? this.world.userKeys[0];
    if (typeof user !== 'string' || !this.world.userKeys.includes(user)) throw new SandboxMessageError('unknown user');
    if (!(PUSH_KINDS as readonly unknown[]).includes(r.kind)) {
      throw new SandboxMessageError(`kind must be one of ${PUSH_KINDS.join(', ')}`);
    }
    if (!isOptionalString(r.content) || !isOptionalString(r.eventKey)) {
      throw new SandboxMessageError('content and eventKey must be strings');
    }
    if (r.kind === 'text' && (typeof r.content !== 'string' || r.content === '' || r.content.length > MAX_CONTENT)) {
      throw new SandboxMessageError(`a text needs a content of 1..${MAX_CONTENT} characters`);
    }
    if (r.kind === 'click' && (typeof r.eventKey !== 'string' || r.eventKey === '')) {
      throw new SandboxMessageError('a click needs an eventKey');
    }
    if (typeof r.eventKey === 'string' && r.eventKey.length > MAX_EVENT_KEY) {
      throw new SandboxMessageError(`eventKey must be at most ${MAX_EVENT_KEY} characters`);
    }
    const mode = r.mode ?? (account.messageAesKey !== undefined ? 'safe' : 'plain');
    if (!(MESSAGE_MODES as readonly unknown[]).includes(mode)) {
      throw new SandboxMessageError(`mode must be one of ${MESSAGE_MODES.join(', ')}`);
    }
    if (mode !== 'plain' && account.messageAesKey === undefined) {
      throw new SandboxMessageError(`the ${mode as string} mode needs the account's messageAesKey`);
    }
    return { account, user, mode: mode as SandboxMessageMode, url: checkUrl(r.url) };
  }

  private state(appId: string): AccountState {
    const state = this.states.get(appId);
    if (!state) throw new SandboxMessageError('unknown appId');
    return state;
  }

  /** The test user whose openid under `appId` this is. */
  private userOf(appId: string, openid: string): string | undefined {
    let byOpenid = this.openids.get(appId);
    if (!byOpenid) {
      byOpenid = new Map(this.world.userKeys.map((key) => [this.world.openidOf(appId, key), key]));
      this.openids.set(appId, byOpenid);
    }
    return byOpenid.get(openid);
  }

  /** A 20-digit MsgId, unique in this sandbox. */
  private nextMsgId(): string {
    return String(this.msgBase + BigInt(++this.msgSeq));
  }

  private release(): void {
    if (--this.inFlight > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function checkUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_URL) throw new SandboxMessageError('url must be an http(s) url');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SandboxMessageError('url must be an http(s) url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SandboxMessageError('url must be an http(s) url');
  if (url.username || url.password) throw new SandboxMessageError('url must not carry credentials');
  return value;
}

function plainFields(m: PushMessage): Record<string, string> {
  return Object.fromEntries(pushFields(m).map(([name, value]) => [name, String(value)]));
}

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_RECORDS) list.splice(0, list.length - MAX_RECORDS);
}
