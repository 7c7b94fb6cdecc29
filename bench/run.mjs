// npm run bench [-- throughput cluster accounts credentials burst expiry memory media pay messages]: runs the benchmarks and prints one table of ratios.
import os from 'node:os';
import { accounts } from './accounts.mjs';
import { burst } from './burst.mjs';
import { credentialApi } from './credential-api.mjs';
import { expiry } from './expiry.mjs';
import { fmt, pinning } from './lib.mjs';
import { memory } from './memory.mjs';
import { messageRepeats, messageRows, passiveReplies } from './messages.mjs';
import { mediaMemory, transcodeMemory } from './media-memory.mjs';
import { payNotifications, payOrders } from './pay.mjs';
import { throughput } from './throughput.mjs';
import { startRedisCluster } from '../test/support/redis-topology.mjs';

const wanted = new Set(process.argv.slice(2));
const run = (name) => wanted.size === 0 || wanted.has(name);
const rows = [];
const row = (what, measured, goal, ok) => rows.push({ what, measured, goal, verdict: ok ? 'ok' : 'MISSED' });

console.log(
  `machine: ${os.cpus().length} x ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${pinning}`,
);

if (run('throughput')) {
  const t = await throughput();
  console.log('throughput', JSON.stringify(t));
  row(
    'signing throughput vs bare Fastify route (one Redis node)',
    `${fmt(t.service.rps, 0)} / ${fmt(t.bare.rps, 0)} req/s = ${fmt(t.ratio, 2)}`,
    '>= 0.90',
    t.ratio >= 0.9 && t.errors === 0,
  );
  row(
    'signing p50 / p99 (bare route)',
    `${t.service.p50} / ${t.service.p99} ms (${t.bare.p50} / ${t.bare.p99} ms)`,
    'reported',
    true,
  );
}
if (run('cluster')) {
  const cluster = await startRedisCluster(3);
  try {
    const t = await throughput({ env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes.join(',') } });
    console.log('cluster', JSON.stringify(t));
    row(
      'signing throughput vs bare route (3-master Redis Cluster)',
      `${fmt(t.service.rps, 0)} / ${fmt(t.bare.rps, 0)} req/s = ${fmt(t.ratio, 2)}`,
      '>= 0.90',
      t.ratio >= 0.9 && t.errors === 0,
    );
  } finally {
    await cluster.stop();
  }
}
if (run('accounts')) {
  const a = await accounts();
  console.log('accounts', JSON.stringify(a));
  const gap = a.single.ratio - a.multi.ratio;
  row(
    `signing with ${a.configured} accounts, load over ${a.loaded}, vs 1 account: req/s of bare`,
    `${fmt(a.multi.ratio, 2)} vs ${fmt(a.single.ratio, 2)} (gap ${fmt(gap, 2)})`,
    'gap <= 0.05',
    gap <= 0.05 && a.errors === 0,
  );
  const cpuGap = a.single.cpuRatio - a.multi.cpuRatio;
  row(
    '  the same as CPU time per request, bare / service',
    `${fmt(a.multi.cpuRatio, 2)} vs ${fmt(a.single.cpuRatio, 2)} (${fmt(a.multi.cpuUs)} / ${fmt(a.single.cpuUs)} / ${fmt(a.bare.cpuUs)} µs) gap ${fmt(cpuGap, 2)}`,
    'gap <= 0.05',
    cpuGap <= 0.05,
  );
  const growth = a.rss.multiMb - a.rss.singleMb;
  row(
    `RSS with ${a.configured} accounts vs 1, after the same load`,
    `${fmt(a.rss.multiMb, 0)} vs ${fmt(a.rss.singleMb, 0)} MB (+${fmt(growth)} MB)`,
    '< 20 MB',
    growth < 20,
  );
  row(
    `cold burst: ${a.burst.requests} requests over ${a.loaded} accounts`,
    `${a.burst.tokenCalls} token + ${a.burst.ticketCalls} ticket calls (${fmt(a.burst.tokenCalls / a.loaded, 2)} + ${fmt(a.burst.ticketCalls / a.loaded, 2)} per account)`,
    '1 + 1 per account',
    a.burst.tokenCalls === a.loaded && a.burst.ticketCalls === a.loaded && a.burst.ok === a.burst.requests,
  );
}
if (run('credentials')) {
  const c = await credentialApi();
  console.log('credentials', JSON.stringify(c));
  row(
    'credential API warm GET vs bare bearer-checked route (limits off)',
    `${fmt(c.limitsOff.service, 0)} / ${fmt(c.limitsOff.bare, 0)} req/s = ${fmt(c.limitsOff.ratio, 2)}`,
    '>= 0.80',
    c.limitsOff.ratio >= 0.8 && c.limitsOff.errors === 0,
  );
  row(
    '  the same as CPU time per request, bare / service',
    `${fmt(c.limitsOff.bareCpu)} / ${fmt(c.limitsOff.serviceCpu)} µs = ${fmt(c.limitsOff.cpuRatio, 2)}`,
    '>= 0.80',
    c.limitsOff.cpuRatio >= 0.8,
  );
  row(
    '  the same with the per-IP rate limit counted in Redis',
    `${fmt(c.limitsOn.service, 0)} / ${fmt(c.limitsOn.bare, 0)} req/s = ${fmt(c.limitsOn.ratio, 2)}`,
    'reported',
    c.limitsOn.errors === 0,
  );
}
if (run('burst')) {
  const b = await burst();
  console.log('burst', JSON.stringify(b));
  row(
    `cold burst: ${b.requests} requests over ${b.processes} processes`,
    `${b.tokenCalls} token + ${b.ticketCalls} ticket calls`,
    '1 + 1',
    b.tokenCalls === 1 && b.ticketCalls === 1 && b.statuses[200] === b.requests,
  );
  row('cold burst p50 / p99', `${fmt(b.p50)} / ${fmt(b.p99)} ms`, 'reported', true);
}
if (run('expiry')) {
  const e = await expiry();
  console.log('expiry', JSON.stringify(e));
  row(
    `p99 across expiries (${e.refreshes} ticket refreshes in ${e.duration} s) vs steady`,
    `${e.crossingP99} / ${e.steadyP99} ms = ${fmt(e.ratio, 2)}`,
    '<= 1.5',
    e.ratio <= 1.5 && e.errors === 0,
  );
}
if (run('memory')) {
  const m = await memory();
  console.log('memory', JSON.stringify(m));
  row(
    'RSS after 100,000 signatures',
    `${m.samples.map((s) => fmt(s.rssMb, 0)).join(' → ')} MB`,
    '< 150 MB, flat',
    m.finalRssMb < 150 && m.growthMb < 20,
  );
}

if (run('media')) {
  for (const storage of ['disk', 's3']) {
    const m = await mediaMemory({ storage });
    console.log('media', JSON.stringify(m));
    row(
      `RSS while saving a ${m.sizeMb} MiB media file (${storage})`,
      `${fmt(m.baselineRssMb, 0)} → peak ${fmt(m.peakRssMb, 0)} MB (+${fmt(m.growthMb)} MB, ${fmt(m.seconds)} s)`,
      'flat (< 10% of the file)',
      m.growthMb < m.sizeMb / 10,
    );
  }
  for (const storage of ['disk', 's3']) {
    const t = await transcodeMemory({ storage });
    console.log('transcode', JSON.stringify(t));
    row(
      `RSS while making the mp3 of a ${t.sizeMb} MiB voice (${fmt(t.mp3Mb, 0)} MiB of mp3, ${storage})`,
      `${fmt(t.baselineRssMb, 0)} → peak ${fmt(t.peakRssMb, 0)} MB (+${fmt(t.growthMb)} MB, ${fmt(t.seconds)} s)`,
      'flat (< 10% of the voice)',
      t.growthMb < t.sizeMb / 10,
    );
  }
}

if (run('pay')) {
  const o = await payOrders();
  console.log('pay orders', JSON.stringify(o));
  row(
    `pay orders via POST /wechat/pay/orders (sandbox, ${o.ledger} ledger) vs 2 RSA-2048 signatures, same core`,
    `${fmt(o.orders, 0)} orders / ${fmt(o.pairs, 0)} signature pairs per s = ${fmt(o.ratio, 2)}`,
    'reported',
    o.errors === 0,
  );
  row(
    '  the same as CPU time, per signature pair / per order',
    `${fmt(o.floorCpuUs, 0)} / ${fmt(o.cpuUs, 0)} µs = ${fmt(o.cpuRatio, 2)}`,
    'reported',
    true,
  );
  row('  order p50 / p99 (50 connections)', `${o.p50} / ${o.p99} ms`, 'reported', true);
  const n = await payNotifications();
  console.log('pay notifications', JSON.stringify(n));
  row(
    'pay notifications verified + decrypted (core readNotification) vs bare RSA verify + AES-256-GCM',
    `${fmt(n.read, 0)} / ${fmt(n.bare, 0)} per s = ${fmt(n.readRatio, 2)}`,
    '>= 0.80',
    n.readRatio >= 0.8,
  );
  row(
    '  and applied once (PayService.handleNotification, memory ledger, onPaid) vs the same',
    `${fmt(n.applied, 0)} / ${fmt(n.bare, 0)} per s = ${fmt(n.ratio, 2)}`,
    '>= 0.80',
    n.ratio >= 0.8,
  );
  row(
    '  repeats of an applied notification (duplicates) vs the same',
    `${fmt(n.duplicate, 0)} / ${fmt(n.bare, 0)} per s = ${fmt(n.duplicateRatio, 2)}`,
    'reported',
    true,
  );
}

if (run('messages')) {
  const replies = await passiveReplies();
  console.log('messages', JSON.stringify(replies));
  const repeats = await messageRepeats();
  console.log('message repeats', JSON.stringify(repeats));
  for (const [what, measured, goal, ok] of messageRows(replies, repeats)) row(what, measured, goal, ok);
}

const widths = ['what', 'measured', 'goal', 'verdict'].map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(`\n${line(['what', 'measured', 'goal', 'verdict'])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line([r.what, r.measured, r.goal, r.verdict]));
