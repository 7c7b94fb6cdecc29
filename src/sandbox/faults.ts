/** Ways a simulated WeChat call can misbehave, consumed one per call in FIFO order. */
export type SandboxFault =
  /** HTTP 200 with a WeChat error body; state untouched. */
  | { kind: 'errcode'; errcode: number; errmsg?: string }
  /** Non-200 status with a small HTML body, like a proxy in front of WeChat. */
  | { kind: 'http'; status: number }
  /** Wait, then answer normally (or with the given errcode, e.g. -1 for "busy and slow"). */
  | { kind: 'slow'; delayMs: number; errcode?: number; errmsg?: string }
  /** HTTP 200 whose body is not JSON. */
  | { kind: 'garbage' }
  /** Destroy the socket without answering. */
  | { kind: 'drop' }
  /**
   * A download that breaks: a successful media answer with its full Content-Length, then the connection
   * closes after `afterBytes` body bytes. Error and video-url answers go out whole; other endpoints drop.
   */
  | { kind: 'cut'; afterBytes: number };

export type SandboxFaultKind = SandboxFault['kind'];

/** The most times one fault may be queued. */
export const MAX_TIMES = 100_000;
const MAX_DELAY_MS = 120_000;
const MAX_CUT_BYTES = 1024 * 1024 * 1024;

export class FaultQueue {
  private readonly queues = new Map<string, SandboxFault[]>();

  inject(endpoint: string, fault: SandboxFault, times = 1): void {
    if (!Number.isInteger(times) || times < 1 || times > MAX_TIMES) {
      throw new Error(`sandbox: times must be an integer in 1..${MAX_TIMES}`);
    }
    const problem = faultProblem(fault);
    if (problem) throw new Error(`sandbox: ${problem}`);
    const queue = this.queues.get(endpoint) ?? [];
    // fresh copies, so a caller mutating its object later cannot change queued faults
    for (let i = 0; i < times; i++) queue.push(normalizeFault(fault));
    this.queues.set(endpoint, queue);
  }

  /** Next fault for this endpoint, removing it from the queue. */
  take(endpoint: string): SandboxFault | undefined {
    const queue = this.queues.get(endpoint);
    const fault = queue?.shift();
    if (queue && queue.length === 0) this.queues.delete(endpoint);
    return fault;
  }

  pending(endpoint?: string): number {
    if (endpoint !== undefined) return this.queues.get(endpoint)?.length ?? 0;
    let total = 0;
    for (const q of this.queues.values()) total += q.length;
    return total;
  }

  clear(endpoint?: string): void {
    if (endpoint === undefined) this.queues.clear();
    else this.queues.delete(endpoint);
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isOptionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** Why `input` is not a valid fault, or undefined when it is (used for the control API's untrusted JSON). */
export function faultProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return 'fault must be an object';
  const f = input as Record<string, unknown>;
  switch (f.kind) {
    case 'errcode':
      if (!isInt(f.errcode) || f.errcode === 0) return 'errcode fault needs a non-zero integer errcode';
      if (!isOptionalString(f.errmsg)) return 'errmsg must be a string';
      return undefined;
    case 'http':
      if (!isInt(f.status) || f.status < 300 || f.status > 599) return 'http fault needs an integer status in 300..599';
      return undefined;
    case 'slow':
      if (!isInt(f.delayMs) || f.delayMs < 0 || f.delayMs > MAX_DELAY_MS) {
        return `slow fault needs an integer delayMs in 0..${MAX_DELAY_MS}`;
      }
      if (f.errcode !== undefined && (!isInt(f.errcode) || f.errcode === 0)) return 'errcode must be a non-zero integer';
      if (!isOptionalString(f.errmsg)) return 'errmsg must be a string';
      return undefined;
    case 'cut':
      if (!isInt(f.afterBytes) || f.afterBytes < 0 || f.afterBytes > MAX_CUT_BYTES) {
        return `cut fault needs an integer afterBytes in 0..${MAX_CUT_BYTES}`;
      }
      return undefined;
    case 'garbage':
    case 'drop':
      return undefined;
    default:
      return 'fault.kind must be one of errcode, http, slow, garbage, drop, cut';
  }
}

/** Keeps only the known fields of a validated fault. */
export function normalizeFault(input: SandboxFault): SandboxFault {
  switch (input.kind) {
    case 'errcode':
      return { kind: 'errcode', errcode: input.errcode, ...(input.errmsg !== undefined && { errmsg: input.errmsg }) };
    case 'http':
      return { kind: 'http', status: input.status };
    case 'slow':
      return {
        kind: 'slow',
        delayMs: input.delayMs,
        ...(input.errcode !== undefined && { errcode: input.errcode }),
        ...(input.errmsg !== undefined && { errmsg: input.errmsg }),
      };
    case 'cut':
      return { kind: 'cut', afterBytes: input.afterBytes };
    default:
      return { kind: input.kind };
  }
}
