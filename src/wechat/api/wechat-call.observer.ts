import { Injectable } from '@nestjs/common';

export type CallOutcome = 'ok' | 'errcode' | 'transport';

/**
 * Seam for observing calls to WeChat (metrics hook in later). Default does nothing;
 * a host or the metrics module can replace it.
 */
@Injectable()
export class WechatCallObserver {
  record(_endpoint: string, _outcome: CallOutcome, _elapsedMs: number): void {}
}
