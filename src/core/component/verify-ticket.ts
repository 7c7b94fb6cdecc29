import { accountKey } from '../account-keys.js';
import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';

/** WeChat pushes a new verify ticket every 10 minutes; each stays valid 12 hours. */
export const VERIFY_TICKET_TTL_MS = 12 * 3600_000;

interface KeptTicket {
  ticket: string;
  /** the push's CreateTime (s): an older push arriving late never replaces a newer ticket */
  createTime: number;
}

/** No verify ticket has arrived yet (or the last is over 12 hours old): nothing may be asked of WeChat. */
export class ComponentTicketMissingError extends Problem {
  constructor(componentAppId: string) {
    super(
      503,
      'COMPONENT_TICKET_MISSING',
      `no component_verify_ticket of ${componentAppId} yet: WeChat pushes one every 10 minutes to the event url; check that the url answers success`,
    );
    this.name = 'ComponentTicketMissingError';
  }
}

/**
 * The platform's `component_verify_ticket`, kept in the shared store (every instance uses the ticket
 * whichever one received the push), for 12 hours from its push.
 */
export class VerifyTickets {
  private readonly key: string;

  constructor(
    private readonly store: WechatStore,
    keyPrefix: string,
    private readonly componentAppId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = accountKey(keyPrefix, componentAppId, 'component_verify_ticket');
  }

  /** Keeps a pushed ticket unless a newer one is kept already; false when it was older. */
  async save(ticket: string, createTime: number): Promise<boolean> {
    const kept = await this.read();
    if (kept && kept.createTime > createTime) return false;
    const ttlMs = createTime * 1000 + VERIFY_TICKET_TTL_MS - this.now();
    if (ttlMs <= 0) return false;
    await this.store.set(this.key, { ticket, createTime } satisfies KeptTicket, ttlMs);
    return true;
  }

  /** The ticket to ask WeChat with; 503 COMPONENT_TICKET_MISSING without one. */
  async current(): Promise<string> {
    const kept = await this.read();
    if (!kept) throw new ComponentTicketMissingError(this.componentAppId);
    return kept.ticket;
  }

  private async read(): Promise<KeptTicket | undefined> {
    const value = (await this.store.get(this.key)) as Partial<KeptTicket> | null | undefined;
    return typeof value?.ticket === 'string' && value.ticket !== '' && typeof value.createTime === 'number'
      ? (value as KeptTicket)
      : undefined;
  }
}
