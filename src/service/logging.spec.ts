import Fastify from 'fastify';
import pino from 'pino';
import { BatchedLines } from './log-sink.js';
import { createLogging, type LogLevel } from './logging.js';

/** A log destination that keeps its lines. */
function capture() {
  const lines: string[] = [];
  return {
    lines,
    parsed: () =>
      lines
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    write: (chunk: string) => {
      lines.push(chunk);
      return true;
    },
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function appLogging(level: LogLevel) {
  const out = capture();
  const app = Fastify({ ...createLogging(level, new BatchedLines(out)).fastify });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/fails', async () => {
    throw new Error('boom with a secret inside');
  });
  await app.ready();
  return { app, out };
}

describe('one log line per request', () => {
  it('writes exactly the line pino itself would write for the request, url redacted', async () => {
    const { app, out } = await appLogging('info');
    const url = '/ok?code=SECRETCODE&state=S1&x="quoted"\\';
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    await nextTurn();
    const [line] = out.parsed();

    const reference = capture();
    pino({ level: 'info' }, reference).info(
      {
        reqId: 'req-1',
        req: { method: 'GET', url: '/ok?code=***&state=***&x=%22quoted%22\\' },
        statusCode: 200,
        ms: line.ms,
      },
      'request',
    );
    const [expected] = reference.parsed();

    expect(Object.keys(line)).toEqual(Object.keys(expected));
    expect({ ...line, time: 0 }).toEqual({ ...expected, time: 0 });
    expect(Math.abs((line.time as number) - Date.now())).toBeLessThan(5000);
    expect(out.lines.join('')).not.toContain('SECRETCODE');
    await app.close();
  });

  it('logs a failed request at level error, without the error message', async () => {
    const { app, out } = await appLogging('info');
    await app.inject({ method: 'GET', url: '/fails' });
    await nextTurn();
    const lines = out.parsed().filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, statusCode: 500, req: { method: 'GET', url: '/fails' } });
    expect(JSON.stringify(lines[0])).not.toContain('secret');
    await app.close();
  });

  it('writes no request line above level info, and the error line still', async () => {
    const { app, out } = await appLogging('warn');
    await app.inject({ method: 'GET', url: '/ok' });
    await nextTurn();
    expect(out.parsed()).toEqual([]);
    await app.inject({ method: 'GET', url: '/fails' });
    await nextTurn();
    expect(out.parsed().filter((l) => l.msg === 'request')).toHaveLength(1);
    await app.close();
  });
});
