// RSS of one instance while it serves 100,000 signatures, read from its own /metrics.
import { cannon, post, serviceEnv, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

async function rssMb(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('wechat_h5_process_resident_memory_bytes '));
  return Number(line.split(' ')[1]) / 1024 / 1024;
}

export async function memory({ total = 100_000, steps = 4 } = {}) {
  const sandbox = await startSandboxProcess();
  const service = await startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: uniquePrefix('mem') }));
  try {
    await post(service.url, { url: 'https://h5.example.com/' });
    const samples = [{ signatures: 0, rssMb: await rssMb(service.url) }];
    let done = 0;
    for (let i = 0; i < steps; i++) {
      const r = await cannon(service.url, { amount: total / steps, connections: 50 });
      done += r.total;
      samples.push({ signatures: done, rssMb: await rssMb(service.url) });
    }
    return { samples, finalRssMb: samples.at(-1).rssMb, growthMb: samples.at(-1).rssMb - samples[1].rssMb };
  } finally {
    await service.stop();
    await sandbox.stop();
  }
}
