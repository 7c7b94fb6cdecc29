// Real Redis topologies for tests and benchmarks: a 3-master Cluster, and a master + replica watched
// by three sentinels, each from Debian's redis-server on free loopback ports in a temporary
// directory, stopped by pid. Plain JavaScript so that bench/ scripts can use it too.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** redis-cli against one port; resolves with its trimmed output */
export async function cli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** Resolves once the node on `port` no longer answers PING within `withinMs` (it sleeps or stalls). */
export async function stopsAnswering(port, withinMs = 200) {
  await until(
    async () => {
      try {
        await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], { timeout: withinMs });
        return false;
      } catch {
        return true;
      }
    },
    `redis on ${port} to stop answering`,
    5000,
  );
}

async function until(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

function startServer(dir, args, binary = 'redis-server') {
  const child = spawn(binary, args, { cwd: dir, stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

async function stopAll(children, dir) {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
  await rm(dir, { recursive: true, force: true });
}

const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local'];

/**
 * A Redis Cluster of `masters` masters without replicas.
 * @returns {Promise<{ nodes: string[], ports: number[], pids: number[], stop(): Promise<void> }>}
 */
export async function startRedisCluster(masters = 3) {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const children = [];
  const ports = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const bus = await freePort();
      ports.push(port);
      children.push(
        startServer(dir, [
          '--port',
          String(port),
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(bus),
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
          ...common,
        ]),
      );
    }
    for (const port of ports) await until(async () => (await cli(port, 'PING')) === 'PONG', `redis on ${port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    for (const port of ports) {
      await until(async () => (await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), `cluster state on ${port}`);
    }
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`),
    ports,
    pids: children.map((c) => c.pid),
    stop: () => stopAll(children, dir),
  };
}

/**
 * One master, one replica and three sentinels (quorum 2) watching them as `name`.
 * @returns {Promise<{ name: string, sentinels: string[], masterPort: number, replicaPort: number,
 *   killMaster(): Promise<void>, currentMasterPort(): Promise<number>, stop(): Promise<void> }>}
 */
export async function startRedisSentinel(name = 'wechat-master') {
  const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
  const children = [];
  try {
    const masterPort = await freePort();
    const replicaPort = await freePort();
    const master = startServer(dir, ['--port', String(masterPort), ...common]);
    children.push(master);
    await until(async () => (await cli(masterPort, 'PING')) === 'PONG', 'the master');
    children.push(
      startServer(dir, [
        '--port',
        String(replicaPort),
        '--replicaof',
        '127.0.0.1',
        String(masterPort),
        '--repl-diskless-sync',
        'yes',
        '--repl-diskless-sync-delay',
        '0',
        ...common,
      ]),
    );
    await until(
      async () => (await cli(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'),
      'the replica to sync',
    );
    const sentinelPorts = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      sentinelPorts.push(port);
      const file = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      children.push(startServer(dir, [file, '--sentinel']));
    }
    for (const port of sentinelPorts) {
      await until(
        async () => (await cli(port, 'SENTINEL', 'replicas', name)).includes(String(replicaPort)),
        `sentinel ${port} to see the replica`,
      );
    }
    const currentMasterPort = async () =>
      Number((await cli(sentinelPorts[0], 'SENTINEL', 'get-master-addr-by-name', name)).split('\n')[1]);
    return {
      name,
      sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`),
      masterPort,
      replicaPort,
      currentMasterPort,
      killMaster: async () => {
        const exited = once(master, 'exit');
        master.kill('SIGKILL');
        await exited;
      },
      /** resolves once the sentinels name the replica as the master */
      failedOver: (timeoutMs = 30_000) =>
        until(async () => (await currentMasterPort()) === replicaPort, 'the failover', timeoutMs),
      stop: () => stopAll(children, dir),
    };
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
}

/**
 * One Redis node of its own (a test may make it refuse writes, stall or stop without touching the shared one).
 * @returns {Promise<{ port: number, url: string, pid: number, stop(): Promise<void> }>}
 */
export async function startRedisNode() {
  const dir = await mkdtemp(join(tmpdir(), 'redis-node-'));
  const port = await freePort();
  const child = startServer(dir, ['--port', String(port), ...common]);
  try {
    await until(async () => (await cli(port, 'PING')) === 'PONG', `redis on ${port}`);
  } catch (error) {
    await stopAll([child], dir);
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: () => stopAll([child], dir) };
}
