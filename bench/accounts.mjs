// Many accounts: 1,000 configured, the load spread over 100 of them (chosen by page host), side by
// side with the same service configured with one account and with the bare route. Both services
// first take the same cold burst (1,000 requests; over the 100 accounts it counts WeChat calls per
// account), then the same load: req/s, CPU time per request, and RSS after it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cannon,
  cpuNs,
  rssMb,
  serviceEnv,
  SIGN_BODY,
  startProcess,
  startSandboxProcess,
  startService,
  uniquePrefix,
} from './lib.mjs';

export async function accounts({ configured = 1000, loaded = 100, rounds = 5, duration = 5 } = {}) {
  const list = Array.from({ length: configured }, (_, i) => ({
    appId: `wxbench${String(i).padStart(11, '0')}`,
    appSecret: `bench-secret-${i}-0123456789`,
    jsDomains: [`h5-${i}.example.com`],
  }));
  const dir = await mkdtemp(join(tmpdir(), 'bench-accounts-'));
  const file = join(dir, 'accounts.json');
  await writeFile(file, JSON.stringify(list));
  const sandbox = await startSandboxProcess({
    accounts: [{ appId: 'wx5a0d8b0c1e2f3a4b', appSecret: 'sandbox-secret-0123456789abcdef' }, ...list],
  });
  const single = await startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: uniquePrefix('acc1') }));
  const multi = await startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: uniquePrefix('accN'), WECHAT_ACCOUNTS: file }));
  const bare = await startProcess('bench/bare-server.mjs');
  const bodies = list
    .slice(0, loaded)
    .map((_, i) => JSON.stringify({ url: `https://h5-${i}.example.com/pay/order?id=42#/detail` }));
  const coldBurst = (service, sent) =>
    Promise.all(
      sent.flatMap((body) =>
        Array.from({ length: 10 }, () =>
          fetch(`${service.url}/wechat/jssdk/config`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          }).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      ),
    );
  try {
    // cold burst: 10 concurrent requests for each of the loaded accounts (the single one: as many for its one)
    await coldBurst(
      single,
      bodies.map(() => SIGN_BODY),
    );
    await sandbox.resetCalls();
    const statuses = await coldBurst(multi, bodies);
    const calls = await sandbox.calls();
    const burst = {
      requests: statuses.length,
      ok: statuses.filter((s) => s === 200).length,
      tokenCalls: calls['cgi-bin/stable_token'] ?? 0,
      ticketCalls: calls['cgi-bin/ticket/getticket'] ?? 0,
    };
    await cannon(single.url, { duration: 2, bodies: [SIGN_BODY] });
    await cannon(multi.url, { duration: 2, bodies });
    await cannon(bare.url, { duration: 2 });
    const runs = { single: [], multi: [], bare: [] };
    const measured = async (target, options) => {
      const before = cpuNs(target.childPid);
      const r = await cannon(target.url, options);
      return { ...r, cpuUs: (cpuNs(target.childPid) - before) / 1000 / r.total };
    };
    // Alternate the three so drift on the machine hits all alike.
    for (let i = 0; i < rounds; i++) {
      runs.bare.push(await measured(bare, { duration }));
      runs.single.push(await measured(single, { duration, bodies: [SIGN_BODY] }));
      runs.multi.push(await measured(multi, { duration, bodies }));
    }
    const median = (xs, key) => xs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [s, m, b] = ['single', 'multi', 'bare'].map((k) => ({ rps: median(runs[k], 'rps'), cpuUs: median(runs[k], 'cpuUs') }));
    const errors = [...runs.single, ...runs.multi].reduce((n, r) => n + r.non2xx, 0);
    return {
      configured,
      loaded,
      burst,
      errors,
      single: { ...s, ratio: s.rps / b.rps, cpuRatio: b.cpuUs / s.cpuUs },
      multi: { ...m, ratio: m.rps / b.rps, cpuRatio: b.cpuUs / m.cpuUs },
      bare: b,
      rss: { singleMb: rssMb(single.childPid), multiMb: rssMb(multi.childPid) },
    };
  } finally {
    await Promise.all([single.stop(), multi.stop(), bare.stop()]);
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
