import type { Logger } from '../ports.js';
import type { WechatPayClient } from './wechatpay-client.js';
import type { CombinedKeys } from './wechatpay-verifier.js';

/** Platform certificates are downloaded again this often (they rotate; a new one appears before use). */
export const CERTIFICATE_REFRESH_MS = 60 * 60 * 1000;

/**
 * Keeps WeChat Pay's platform certificates current in `keys`, on a timer of its own and never on a
 * caller's word (an unknown serial in a request is refused, not a reason to download). A merchant
 * that has none (public-key only: 404 RESOURCE_NOT_EXISTS) keeps working on its public key.
 */
export class PlatformCertificates {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: WechatPayClient,
    private readonly keys: CombinedKeys,
    private readonly logger: Logger,
  ) {}

  /** Downloads once now (a failure is logged, not thrown) and then every hour until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), CERTIFICATE_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** True when certificates were downloaded and put in place. */
  async refresh(): Promise<boolean> {
    try {
      const certs = await this.client.downloadCertificates();
      if (!certs) {
        this.logger.log('this merchant has no platform certificates (public-key only); verifying with the public key');
        return false;
      }
      this.keys.setCertificates(certs);
      this.logger.log(`platform certificates in use: ${this.keys.certificateSerials.join(', ') || 'none'}`);
      return true;
    } catch (error) {
      this.logger.warn(
        `platform certificates could not be downloaded (${(error as Error)?.message ?? 'error'}); keeping those held`,
      );
      return false;
    }
  }
}
