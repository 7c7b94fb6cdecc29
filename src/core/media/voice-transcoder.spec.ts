import { probeAudio } from '../../../test/support/ffmpeg.js';
import { PassThrough, Readable } from 'node:stream';
import { HD_VOICE_SAMPLE } from '../../sandbox/hd-voice-sample.js';
import { AMR_FRAME_BYTES, AMR_MAGIC, amrVoiceChunks } from '../../sandbox/media-content.js';
import { isVoice, TranscodeError, VoiceTranscoder } from './voice-transcoder.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const amr = (seconds: number) =>
  Buffer.concat([...amrVoiceChunks('transcode-me', AMR_MAGIC.length + seconds * 50 * AMR_FRAME_BYTES)]);
const failureOf = (stream: Readable) =>
  collect(stream).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('VoiceTranscoder (the real ffmpeg)', () => {
  const transcoder = new VoiceTranscoder({ timeoutMs: 30_000 });

  it('knows which content types are voices', () => {
    for (const type of ['audio/amr', 'voice/speex', 'audio/speex', 'audio/ogg']) expect(isVoice(type)).toBe(true);
    for (const type of ['image/jpeg', 'audio/mpeg', 'video/mp4', 'application/octet-stream']) expect(isVoice(type)).toBe(false);
  });

  it('reports the ffmpeg version, and nothing for an ffmpeg that is not there', async () => {
    expect(await transcoder.version()).toMatch(/^ffmpeg version /);
    expect(await new VoiceTranscoder({ ffmpegPath: '/nonexistent/ffmpeg' }).version()).toBeUndefined();
  });

  it('turns an AMR-NB voice into an MP3 of the same length', async () => {
    const mp3 = await collect(transcoder.toMp3(Readable.from([amr(12)])));
    const info = await probeAudio(mp3);
    expect(info).toMatchObject({ format: 'mp3', codec: 'mp3' });
    expect(Math.abs(info.seconds - 12) / 12).toBeLessThan(0.05);
  });

  it('turns the Ogg Speex HD voice into an MP3 of the same length', async () => {
    const info = await probeAudio(await collect(transcoder.toMp3(Readable.from([HD_VOICE_SAMPLE]))));
    expect(info.format).toBe('mp3');
    expect(Math.abs(info.seconds - 4) / 4).toBeLessThan(0.05);
  });

  it('fails with undecodable for bytes that are no audio', async () => {
    const error = await failureOf(
      transcoder.toMp3(Readable.from([Buffer.from('this is not a voice at all, only text '.repeat(50))])),
    );
    expect(error).toBeInstanceOf(TranscodeError);
    expect((error as TranscodeError).reason).toBe('undecodable');
  });

  it('fails with unavailable when ffmpeg cannot be run', async () => {
    const error = await failureOf(new VoiceTranscoder({ ffmpegPath: '/nonexistent/ffmpeg' }).toMp3(Readable.from([amr(1)])));
    expect((error as TranscodeError).reason).toBe('unavailable');
  });

  it('kills ffmpeg past the time bound (a voice that never ends) and fails with timeout', async () => {
    const endless = new PassThrough();
    endless.write(amr(1));
    const started = Date.now();
    const error = await failureOf(new VoiceTranscoder({ timeoutMs: 300 }).toMp3(endless));
    expect((error as TranscodeError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(endless.destroyed).toBe(true);
  });

  it("a failing input stops ffmpeg and fails the output with the input's own error (no fault of the voice)", async () => {
    const input = new PassThrough();
    input.write(amr(1));
    const out = transcoder.toMp3(input);
    const failed = failureOf(out);
    input.destroy(new Error('storage read failed'));
    const error = await failed;
    expect((error as Error).message).toContain('storage read failed');
    expect(error).not.toBeInstanceOf(TranscodeError);
  });
});
