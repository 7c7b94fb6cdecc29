import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, realpath, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Helpers for the tests that install the packed package into separate host apps.

export const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Repo entries npm pack never needs: installed, built, generated or VCS files. */
const NOT_STAGED = new Set(['node_modules', 'dist', '.git', 'test-output', 'coverage', 'reports', '.stryker-tmp']);

/** `npm …` without the variables npm sets for the script that started jest (they name the repo as the project). */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(npm_(package_|lifecycle_|command)|npm_config_local_prefix$|INIT_CWD$)/.test(k),
    ),
  );
}

export async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 32 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/** The README's `<!-- host-app: PATH -->` fenced blocks, by the path they become in the host app. */
export function readmeBlocks(readme: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const marked = /<!-- host-app: (\S+) -->\s*```ts\n([\s\S]*?)```\s*<!-- \/host-app -->/g;
  for (const [, path, code] of readme.matchAll(marked)) blocks.set(path, code);
  return blocks;
}

/** Exact versions this repo's lock resolved, so npm's cache answers the host's install. */
export async function lockedVersions(): Promise<(name: string) => string> {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return (name) => {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in package-lock.json`);
    return version;
  };
}

/**
 * `npm pack` of a copy of the repo (prepack's build then writes a fresh dist there, never the
 * repo's own dist/ that other test files run); resolves with the tarball's path.
 */
export async function packTarball(tempDir: (name: string) => Promise<string>): Promise<string> {
  const stage = await tempDir('stage');
  for (const entry of await readdir(REPO)) {
    if (NOT_STAGED.has(entry) || entry.endsWith('.tgz')) continue;
    await cp(join(REPO, entry), join(stage, entry), { recursive: true });
  }
  await symlink(join(REPO, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const packDir = await tempDir('pack');
  await npm(['pack', '--pack-destination', packDir], stage);
  const packed = (await readdir(packDir)).filter((f) => f.endsWith('.tgz'));
  if (packed.length !== 1) throw new Error(`npm pack made ${packed.length} tarballs`);
  return join(packDir, packed[0]!);
}

/** A temporary directory (real path) that `cleanup` removes. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make: async (name: string) => {
      const dir = await realpath(await mkdtemp(join(tmpdir(), `nest-wechat-h5-${name}-`)));
      made.push(dir);
      return dir;
    },
    made,
  };
}
