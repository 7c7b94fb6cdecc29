import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';

/** Content types of a voice WeChat gives (AMR from media/get, Speex from media/get/jssdk) or a host may keep. */
const VOICE_TYPES = new Set(['audio/amr', 'audio/amr-wb', 'voice/speex', 'audio/speex', 'audio/x-speex', 'audio/ogg']);

export const isVoice = (contentType: string) => VOICE_TYPES.has(contentType);

export type TranscodeFailure = 'unavailable' | 'undecodable' | 'timeout';

/** Why a rendition could not be made: no ffmpeg, input it cannot decode, or past the time bound. */
export class TranscodeError extends Error {
  constructor(
    readonly reason: TranscodeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TranscodeError';
  }
}

export interface TranscoderOptions {
  /** the ffmpeg executable: a path, or a name looked up on PATH; default `ffmpeg` */
  ffmpegPath?: string;
  /** longest a transcoding may run, ms; then ffmpeg is killed; default 60000 */
  timeoutMs?: number;
}

export const DEFAULT_TRANSCODE_TIMEOUT_MS = 60_000;

/** The last bytes of ffmpeg's messages kept for the log (they name no input: it comes on stdin). */
const STDERR_TAIL = 2048;
const PROBE_TIMEOUT_MS = 5000;

/**
 * Voice to MP3 with ffmpeg: the voice goes in on stdin and the MP3 comes out on stdout, so
 * neither is ever whole in memory and no file name or user input reaches ffmpeg's arguments
 * (spawned with an argument array, never a shell). Mono, constant 32 kbit/s at the voice's own
 * sample rate: small, and every browser's <audio> plays and seeks it.
 */
export class VoiceTranscoder {
  readonly ffmpegPath: string;
  readonly timeoutMs: number;
  private probed?: Promise<string | undefined>;

  constructor(options: TranscoderOptions = {}) {
    this.ffmpegPath = options.ffmpegPath || 'ffmpeg';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TRANSCODE_TIMEOUT_MS;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new Error('VoiceTranscoder: timeoutMs must be positive');
  }

  /** ffmpeg's version line when it runs, undefined when it does not (looked up once). */
  version(): Promise<string | undefined> {
    this.probed ??= runForFirstLine(this.ffmpegPath, ['-hide_banner', '-version']);
    return this.probed;
  }

  /**
   * The MP3 of `voice`, as a stream that fails with TranscodeError when ffmpeg is missing, cannot
   * decode the input or runs past the time bound, and with the input's own error when reading the
   * voice fails (that is no fault of the voice). Destroying the result stops ffmpeg.
   */
  toMp3(voice: Readable): Readable {
    const out = new PassThrough();
    // the service's environment as it is now (its PATH finds ffmpeg)
    const child = spawn(this.ffmpegPath, MP3_ARGS, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, env: process.env });
    let stderr = '';
    let failure: Error | undefined;
    const stop = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new TranscodeError('timeout', `ffmpeg ran past ${this.timeoutMs} ms`)), this.timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    // ffmpeg may stop reading early (a broken input): the write side then fails, which is not our error
    child.stdin.on('error', () => undefined);
    voice.on('error', (error) => stop(error));
    voice.pipe(child.stdin);
    child.stdout.pipe(out, { end: false });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      voice.destroy();
      const missing = error.code === 'ENOENT' || error.code === 'EACCES';
      out.destroy(missing ? new TranscodeError('unavailable', `ffmpeg cannot be run (${error.code})`) : error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      voice.destroy();
      if (failure) out.destroy(failure);
      else if (code !== 0)
        out.destroy(new TranscodeError('undecodable', `ffmpeg could not decode the voice: ${lastLine(stderr)}`));
      else out.end();
    });
    // the reader gave up (a size limit, a failed storage): ffmpeg has nothing left to do
    out.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return out;
  }
}

/** Read from stdin, whatever container it is in; the first audio stream, mono, CBR 32k MP3 to stdout. */
const MP3_ARGS = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'error',
  '-threads',
  '1',
  '-i',
  'pipe:0',
  '-map',
  '0:a:0',
  '-vn',
  '-ac',
  '1',
  '-c:a',
  'libmp3lame',
  '-b:a',
  '32k',
  // a Xing header cannot be filled in on a pipe; constant bitrate lets players compute the length
  '-write_xing',
  '0',
  '-f',
  'mp3',
  'pipe:1',
];

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.slice(0, 300) || 'no message';
}

/** Runs a command briefly and gives its first line of output, or undefined when it cannot run or fails. */
function runForFirstLine(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'ignore'],
        windowsHide: true,
        timeout: PROBE_TIMEOUT_MS,
        env: process.env,
      });
    } catch {
      return resolve(undefined);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      if (output.length < 4096) output += text;
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? output.split('\n')[0].trim() || undefined : undefined));
  });
}
