/** Counts every incoming call per endpoint name, faulted ones included. */
export class CallCounter {
  private readonly counts = new Map<string, number>();

  record(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  count(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  all(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}
