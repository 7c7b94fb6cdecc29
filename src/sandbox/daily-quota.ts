/** Per-key call budget that resets at each UTC day boundary of the injected clock. */
export class DailyQuota {
  private readonly used = new Map<string, { day: string; count: number }>();

  constructor(private readonly now: () => number) {}

  /** Consumes one unit; false when the key already used `limit` today. */
  take(key: string, limit: number): boolean {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    let entry = this.used.get(key);
    if (!entry || entry.day !== day) {
      entry = { day, count: 0 };
      this.used.set(key, entry);
    }
    if (entry.count >= limit) return false;
    entry.count += 1;
    return true;
  }
}
