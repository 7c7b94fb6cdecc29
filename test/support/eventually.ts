/**
 * Retries a check until it holds or the deadline passes. Only for conditions that no event
 * announces (recovery after an outage, a key appearing in Redis written by another process).
 */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
