import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/service/main.js', import.meta.url));
const LISTENING = /listening on http:\/\/[^\s]+:(\d+)/;

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  stop(): Promise<void>;
}

export interface ProcessOptions {
  /** the entry file to run; default this repo's dist/service/main.js */
  main?: string;
  /** working directory of the process; default this one's */
  cwd?: string;
}

/**
 * Starts the built service (`node dist/service/main.js`, built by `npm test`'s pretest), or another app's
 * entry file, as a separate OS process and resolves once it logs its listening address.
 */
export async function startServiceProcess(
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
  options: ProcessOptions = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [options.main ?? MAIN], {
    env: { PATH: process.env.PATH, ...env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the built service with `env` and resolves with its exit code and output (for start-up failures). */
export async function runServiceToExit(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

/** A TCP port free right now on 127.0.0.1 (for the sandbox mode, which needs a fixed port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
