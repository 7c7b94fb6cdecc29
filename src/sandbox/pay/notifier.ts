import {
  encryptedNotificationBody,
  probeSignature,
  NOTIFY_SIGNATURE_TYPE,
  wechatPaySignedHeaders,
  type SimPayEvent,
  type SimWechatPaySigner,
} from './notification.js';
import type { PayScheduler } from './scheduler.js';

/** WeChat Pay's retry intervals after a failed delivery (15 retries, 24 h 4 min in all). */
export const NOTIFY_RETRY_SCHEDULE_SEC = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

/** One POST of a notification to the merchant, as the sandbox recorded it. */
export interface SandboxPayDelivery {
  eventId: string;
  eventType: SimPayEvent['eventType'];
  outTradeNo: string;
  outRefundNo?: string;
  /** probe: wrong signature on purpose; duplicate: the same event again about 1 s after the first */
  kind: 'probe' | 'notification' | 'duplicate';
  /** 1 for the event's first POST, counting probes and duplicates */
  attempt: number;
  /** sandbox clock (ms) when it was sent */
  at: number;
  url: string;
  /** the receiver's HTTP status; absent when no answer came */
  status?: number;
  error?: 'timeout' | 'connection failed' | 'stopped';
  /** 200 or 204: WeChat Pay counts it received, whatever the body says */
  accepted: boolean;
}

export interface SandboxPayNotifyOptions {
  /** first send a `WECHATPAY/SIGNTEST/` probe (default false) */
  probe?: boolean;
  /** send the duplicate (default true) */
  duplicate?: boolean;
}

export interface SimNotifyTarget {
  url: string;
  outTradeNo: string;
  outRefundNo?: string;
}

export interface PayNotifierDeps {
  scheduler: PayScheduler;
  signer: () => SimWechatPaySigner;
  apiV3Key: () => string;
  now: () => number;
  timeScale: number;
  duplicateAfterMs: number;
  timeoutMs: number;
}

interface Job extends SimNotifyTarget {
  event: SimPayEvent;
  body: string;
  sent: number;
  retries: number;
  delivered: boolean;
}

/** Delivers notifications until the merchant answers 200/204, on WeChat Pay's schedule (scaled), and records each POST. */
export class PayNotifier {
  private readonly records: SandboxPayDelivery[] = [];

  constructor(private readonly deps: PayNotifierDeps) {}

  notify(target: SimNotifyTarget, event: SimPayEvent, options: SandboxPayNotifyOptions = {}): void {
    const job: Job = {
      ...target,
      event,
      body: encryptedNotificationBody(event, this.deps.apiV3Key()),
      sent: 0,
      retries: 0,
      delivered: false,
    };
    const { scheduler, timeScale, duplicateAfterMs } = this.deps;
    scheduler.run(async () => {
      const signal = scheduler.signal;
      if (options.probe) await this.deliver(job, 'probe');
      if (signal.aborted) return;
      if (options.duplicate !== false) scheduler.later(duplicateAfterMs * timeScale, () => this.deliver(job, 'duplicate'));
      await this.attempt(job);
    });
  }

  deliveries(outTradeNo: string): SandboxPayDelivery[] {
    return this.records.filter((r) => r.outTradeNo === outTradeNo).map((r) => ({ ...r }));
  }

  private async attempt(job: Job): Promise<void> {
    if (job.delivered) return;
    const signal = this.deps.scheduler.signal;
    if ((await this.deliver(job, 'notification')) || signal.aborted) return;
    const delaySec = NOTIFY_RETRY_SCHEDULE_SEC[job.retries++];
    if (delaySec !== undefined) this.deps.scheduler.later(delaySec * 1000 * this.deps.timeScale, () => this.attempt(job));
  }

  /** One POST; true when the receiver took it (a probe taken means the receiver did not verify). */
  private async deliver(job: Job, kind: SandboxPayDelivery['kind']): Promise<boolean> {
    const { scheduler, now, timeoutMs } = this.deps;
    const signal = scheduler.signal;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Mozilla/4.0',
      ...wechatPaySignedHeaders(job.body, this.deps.signer()),
      'Wechatpay-Signature-Type': NOTIFY_SIGNATURE_TYPE,
    };
    if (kind === 'probe') headers['Wechatpay-Signature'] = probeSignature();
    const { event, outTradeNo, outRefundNo, url } = job;
    const record: SandboxPayDelivery = {
      eventId: event.id,
      eventType: event.eventType,
      outTradeNo,
      ...(outRefundNo !== undefined && { outRefundNo }),
      kind,
      attempt: ++job.sent,
      at: now(),
      url,
      accepted: false,
    };
    try {
      const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: job.body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
      });
      record.status = res.status;
      record.accepted = res.status === 200 || res.status === 204;
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      record.error = signal.aborted ? 'stopped' : (err as Error).name === 'TimeoutError' ? 'timeout' : 'connection failed';
    }
    this.records.push(record);
    if (record.accepted && kind !== 'probe') job.delivered = true;
    return record.accepted;
  }
}
