import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The machine's ffmpeg (Debian's package; .ci/run installs it). */
export const FFMPEG = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();

export interface FfmpegStandIn {
  /** the executable to pass as FFMPEG_PATH */
  path: string;
  /** how many transcodings were started through it (version checks not counted) */
  runs(): Promise<number>;
  /** the most transcodings that ran at the same time (`overlap` only: the others do not log their end) */
  mostAtOnce(): Promise<number>;
}

/**
 * What the stand-in does with a transcoding (the version check always goes to the real ffmpeg):
 * - `counting`: runs the real ffmpeg;
 * - `overlap`: runs the real ffmpeg half a second late and logs its end too, to see runs overlap;
 * - `stall`: never produces anything (for the time bound);
 * - `failing`: fails at once as ffmpeg does on input it cannot decode;
 * - `bloating`: writes 256 KiB of output whatever the input (an mp3 larger than a small limit).
 */
export type FfmpegStandInKind = 'counting' | 'overlap' | 'stall' | 'failing' | 'bloating';

const TRANSCODING: Record<FfmpegStandInKind, (log: string) => string> = {
  counting: (log) => `echo start >> '${log}'\nexec '${FFMPEG}' "$@"\n`,
  overlap: (log) => `echo start >> '${log}'\nsleep 0.5\n'${FFMPEG}' "$@"\ncode=$?\necho end >> '${log}'\nexit $code\n`,
  stall: (log) => `echo start >> '${log}'\nexec sleep 60\n`,
  failing: (log) => `echo start >> '${log}'\necho 'pipe:0: Invalid data found when processing input' >&2\nexit 1\n`,
  bloating: (log) => `echo start >> '${log}'\nexec head -c 262144 /dev/zero\n`,
};

/** An FFMPEG_PATH that logs each transcoding (start, and for `overlap` its end) to a file, then does what `kind` says. */
export async function ffmpegStandIn(kind: FfmpegStandInKind): Promise<FfmpegStandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'ffmpeg-'));
  const path = join(dir, 'ffmpeg');
  const log = join(dir, 'runs');
  await writeFile(log, '');
  const version = `case "$*" in *-version*) exec '${FFMPEG}' "$@" ;; esac\n`;
  await writeFile(path, `#!/bin/sh\n${version}${TRANSCODING[kind](log)}`);
  await chmod(path, 0o755);
  const lines = async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  return {
    path,
    runs: async () => (await lines()).filter((line) => line === 'start').length,
    mostAtOnce: async () => {
      let running = 0;
      let most = 0;
      for (const line of await lines()) {
        running += line === 'start' ? 1 : -1;
        most = Math.max(most, running);
      }
      return most;
    },
  };
}

/** What ffprobe makes of some bytes: container, codec, sample rate and seconds. */
export async function probeAudio(bytes: Buffer): Promise<{ format: string; codec: string; sampleRate: number; seconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'probe-'));
  const file = join(dir, 'audio');
  let out: string;
  try {
    await writeFile(file, bytes);
    out = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_name,sample_rate', '-of', 'json', file],
      { encoding: 'utf8' },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const json = JSON.parse(out) as {
    format: { format_name: string; duration: string };
    streams: { codec_name: string; sample_rate: string }[];
  };
  return {
    format: json.format.format_name,
    codec: json.streams[0]?.codec_name,
    sampleRate: Number(json.streams[0]?.sample_rate),
    seconds: Number(json.format.duration),
  };
}
