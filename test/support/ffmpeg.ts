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
}

/**
 * An FFMPEG_PATH that runs the real ffmpeg and counts each transcoding in a file, or (`stall`)
 * answers the version check and then never produces anything, for the time bound.
 */
export async function ffmpegStandIn(kind: 'counting' | 'stall'): Promise<FfmpegStandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'ffmpeg-'));
  const path = join(dir, 'ffmpeg');
  const count = join(dir, 'runs');
  await writeFile(count, '');
  const body =
    kind === 'counting'
      ? `case "$*" in *-version*) ;; *) echo run >> '${count}' ;; esac\nexec '${FFMPEG}' "$@"\n`
      : `case "$*" in *-version*) exec '${FFMPEG}' "$@" ;; esac\necho run >> '${count}'\nexec sleep 60\n`;
  await writeFile(path, `#!/bin/sh\n${body}`);
  await chmod(path, 0o755);
  return { path, runs: async () => (await readFile(count, 'utf8')).split('\n').filter(Boolean).length };
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
