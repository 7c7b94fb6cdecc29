import { postJson } from './app.js';

export interface LoadResult {
  status: number;
  url: string;
  json: any;
  /** when the answer arrived (ms since epoch) */
  at: number;
  /** how long the answer took */
  ms: number;
}

/**
 * Keeps `concurrency` clients signing in a loop until stop() — a steady load for resilience
 * tests. `responses(n)` resolves once n answers have arrived since the call.
 */
export function signingLoad(base: string, concurrency: number, onResult?: (r: LoadResult) => void) {
  const results: LoadResult[] = [];
  let stopped = false;
  let waiters: { target: number; resolve: () => void }[] = [];
  const record = (r: LoadResult) => {
    results.push(r);
    onResult?.(r);
    waiters = waiters.filter((w) => (results.length >= w.target ? (w.resolve(), false) : true));
  };
  const worker = async (id: number) => {
    for (let i = 0; !stopped; i++) {
      const url = `https://h5.example.com/load/${id}/${i}?q=${i % 7}#frag`;
      const started = performance.now();
      try {
        const r = await postJson(`${base}/wechat/jssdk/config`, { url });
        record({ status: r.status, url: url.split('#')[0], json: r.json, at: Date.now(), ms: performance.now() - started });
      } catch {
        record({ status: 0, url, json: undefined, at: Date.now(), ms: performance.now() - started });
      }
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  return {
    results,
    responses: (n: number) =>
      new Promise<void>((resolve) => {
        const target = results.length + n;
        if (results.length >= target) resolve();
        else waiters.push({ target, resolve });
      }),
    stop: async () => {
      stopped = true;
      await running;
      return results;
    },
  };
}
