import { performance } from 'node:perf_hooks';
import type { XmlFields } from './message-xml.js';
import { readPassiveReply, type ReplyContext } from './passive-reply.js';
import { pushNonce, pushRequest, type PushMessage, type PushSecrets, type SandboxMessageMode } from './push-message.js';

/** WeChat tries a push 3 times in all. */
export const PUSH_TRIES = 3;
/** WeChat waits 5 s for each answer (the sandbox scales it with messageReplyWaitMs). */
export const REPLY_WAIT_MS = 5000;
/** The most of an answer the sandbox reads; a passive reply is a few KiB at most. */
export const MAX_REPLY_BYTES = 1024 * 1024;

export type SandboxPushAttemptOutcome =
  'success' | 'replied' | 'timeout' | 'http error' | 'connection failed' | 'invalid reply' | 'stopped';

/** One POST of a push, as the sandbox recorded it. */
export interface SandboxPushAttempt {
  /** 1 for the first try */
  attempt: number;
  /** sandbox clock (ms) when it was sent */
  at: number;
  /** the receiver's HTTP status; absent when no answer came */
  status?: number;
  /** wall-clock ms from sending to the end of the answer (or the failure) */
  elapsedMs: number;
  outcome: SandboxPushAttemptOutcome;
  /** why a reply was invalid (never echoes secrets) */
  problem?: string;
}

export interface DeliveryResult {
  attempts: SandboxPushAttempt[];
  outcome: 'success' | 'replied' | 'failed';
  reply?: 'success' | XmlFields;
  replyForm?: 'plain' | 'encrypted';
  problem?: string;
}

export interface DeliveryTarget {
  url: string;
  message: PushMessage;
  mode: SandboxMessageMode;
  secrets: PushSecrets;
  reply: ReplyContext;
}

export interface DeliveryDeps {
  now: () => number;
  waitMs: number;
  /** aborted when the sandbox stops: what is in flight gives up, nothing is retried */
  signal: AbortSignal;
}

/**
 * Delivers one push like WeChat: up to PUSH_TRIES POSTs of the same message until one gets a valid answer in time.
 * Each try is appended to `attempts` as it ends, so a record being delivered shows them.
 */
export async function deliverPush(
  target: DeliveryTarget,
  deps: DeliveryDeps,
  attempts: SandboxPushAttempt[] = [],
): Promise<DeliveryResult> {
  for (let attempt = 1; attempt <= PUSH_TRIES; attempt++) {
    const { record, reading } = await tryOnce(target, deps, attempt);
    attempts.push(record);
    if (reading?.ok) {
      if (reading.kind === 'success') return { attempts, outcome: 'success', reply: 'success' };
      return { attempts, outcome: 'replied', reply: reading.fields, replyForm: reading.form };
    }
    if (record.outcome === 'stopped') break;
  }
  const last = attempts[attempts.length - 1];
  return { attempts, outcome: 'failed', problem: last.problem ?? last.outcome };
}

async function tryOnce(target: DeliveryTarget, deps: DeliveryDeps, attempt: number) {
  const timestamp = String(Math.floor(deps.now() / 1000));
  const request = pushRequest(target.url, target.message, target.mode, target.secrets, timestamp, pushNonce());
  const record: SandboxPushAttempt = { attempt, at: deps.now(), elapsedMs: 0, outcome: 'connection failed' };
  const started = performance.now();
  const timeout = AbortSignal.timeout(Math.max(1, deps.waitMs));
  const signal = AbortSignal.any([deps.signal, timeout]);
  let reading: ReturnType<typeof readPassiveReply> | undefined;
  try {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', 'User-Agent': 'Mozilla/4.0' },
      body: request.body,
      redirect: 'manual',
      signal,
    });
    record.status = res.status;
    const text = await readCapped(res);
    if (!res.ok) {
      record.outcome = 'http error';
    } else if (text === undefined) {
      record.outcome = 'invalid reply';
      record.problem = `the answer is larger than ${MAX_REPLY_BYTES} bytes`;
    } else {
      reading = readPassiveReply(text, target.reply);
      if (reading.ok) record.outcome = reading.kind === 'success' ? 'success' : 'replied';
      else {
        record.outcome = 'invalid reply';
        record.problem = reading.problem;
      }
    }
  } catch {
    record.outcome = deps.signal.aborted ? 'stopped' : timeout.aborted ? 'timeout' : 'connection failed';
  }
  record.elapsedMs = Math.round(performance.now() - started);
  return { record, reading };
}

/** The body as UTF-8, or undefined when it is larger than MAX_REPLY_BYTES (the rest is not read). */
async function readCapped(res: Response): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REPLY_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
