// p99 while the token and ticket expire and are refreshed under steady load, against the steady p99.
import { cannon, post, serviceEnv, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

export async function expiry({ duration = 15, lifetimeSec = 10 } = {}) {
  const steadySandbox = await startSandboxProcess();
  // WeChat rotates in the last graceSec; the service refreshes a quarter of the lifetime ahead.
  const expiringSandbox = await startSandboxProcess({
    tokenExpiresInSec: lifetimeSec,
    ticketExpiresInSec: lifetimeSec,
    graceSec: 3,
  });
  const steady = await startService(serviceEnv(steadySandbox, { CACHE_KEY_PREFIX: uniquePrefix('steady') }));
  const expiring = await startService(serviceEnv(expiringSandbox, { CACHE_KEY_PREFIX: uniquePrefix('expiring') }));
  try {
    for (const s of [steady, expiring]) await post(s.url, { url: 'https://h5.example.com/' });
    // Both warmed alike (JIT), then measured one after the other.
    await cannon(steady.url, { duration: 3 });
    await cannon(expiring.url, { duration: 3 });
    await expiringSandbox.resetCalls();
    const a = await cannon(steady.url, { duration, precise: true });
    const b = await cannon(expiring.url, { duration, precise: true });
    const calls = await expiringSandbox.calls();
    return {
      steadyP99: a.p99,
      crossingP99: b.p99,
      ratio: b.p99 / a.p99,
      refreshes: calls['cgi-bin/ticket/getticket'] ?? 0,
      errors: a.non2xx + b.non2xx,
      lifetimeSec,
      duration,
    };
  } finally {
    await steady.stop();
    await expiring.stop();
    await steadySandbox.stop();
    await expiringSandbox.stop();
  }
}
