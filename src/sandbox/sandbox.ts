import { CallCounter } from './call-counter.js';
import { CredentialState, type TicketType } from './credential-state.js';
import { SANDBOX_ENDPOINTS } from './endpoints.js';
import { FaultQueue, type SandboxFault } from './faults.js';
import {
  resolveSandboxOptions,
  type ResolvedSandboxOptions,
  type SandboxAccount,
  type SandboxOptions,
} from './sandbox.options.js';

/** One simulated WeChat: options, credential state, fault queue and call counts. HTTP-agnostic. */
export class Sandbox {
  readonly options: ResolvedSandboxOptions;
  readonly state: CredentialState;
  readonly faults = new FaultQueue();
  readonly counter = new CallCounter();
  private readonly endpoints = new Set<string>(SANDBOX_ENDPOINTS);

  constructor(options: SandboxOptions = {}) {
    this.options = resolveSandboxOptions(options);
    this.state = new CredentialState(this.options);
  }

  get accounts(): readonly SandboxAccount[] {
    return this.options.accounts.map((a) => ({ ...a }));
  }

  /** Names accepted by injectFault and the control API. */
  knownEndpoints(): string[] {
    return [...this.endpoints];
  }

  isKnownEndpoint(endpoint: string): boolean {
    return this.endpoints.has(endpoint);
  }

  /** For route groups added later (OAuth, media) that are not in SANDBOX_ENDPOINTS yet. */
  addEndpoint(endpoint: string): void {
    this.endpoints.add(endpoint);
  }

  calls(): Record<string, number>;
  calls(endpoint: string): number;
  calls(endpoint?: string): number | Record<string, number> {
    return endpoint === undefined ? this.counter.all() : this.counter.count(endpoint);
  }

  resetCalls(): void {
    this.counter.reset();
  }

  injectFault(endpoint: string, fault: SandboxFault, times = 1): void {
    if (!this.isKnownEndpoint(endpoint)) throw new Error(`sandbox: unknown endpoint ${endpoint}`);
    this.faults.inject(endpoint, fault, times);
  }

  clearFaults(endpoint?: string): void {
    this.faults.clear(endpoint);
  }

  issuedSecrets(): string[] {
    return this.state.issuedSecrets();
  }

  currentTicket(appId: string, type: TicketType): string | undefined {
    return this.state.currentTicket(appId, type);
  }

  currentStableToken(appId: string): string | undefined {
    return this.state.currentStableToken(appId);
  }

  isAccessTokenValid(token: string): boolean {
    return this.state.isAccessTokenValid(token);
  }
}
