// A cold-cache burst of concurrent requests over several processes sharing one Redis.
import { percentile, serviceEnv, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

export async function burst({ processes = 4, requests = 1000 } = {}) {
  const sandbox = await startSandboxProcess();
  const prefix = uniquePrefix('burst');
  const services = await Promise.all(
    Array.from({ length: processes }, () => startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: prefix }))),
  );
  try {
    await sandbox.resetCalls();
    const latencies = [];
    const statuses = new Map();
    await Promise.all(
      Array.from({ length: requests }, async (_, i) => {
        const started = performance.now();
        const response = await fetch(`${services[i % processes].url}/wechat/jssdk/config`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `https://h5.example.com/burst/${i}` }),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
    );
    const calls = await sandbox.calls();
    return {
      processes,
      requests,
      tokenCalls: (calls['cgi-bin/stable_token'] ?? 0) + (calls['cgi-bin/token'] ?? 0),
      ticketCalls: calls['cgi-bin/ticket/getticket'] ?? 0,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      statuses: Object.fromEntries(statuses),
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await sandbox.stop();
  }
}
