import { probeAudio } from '../../test/support/ffmpeg.js';
import { HD_VOICE_SAMPLE } from './hd-voice-sample.js';
import {
  AMR_FRAME_BYTES,
  AMR_MAGIC,
  amrVoiceChunks,
  amrVoiceSeconds,
  downloadChunks,
  MEDIA_CHUNK_SIZE,
} from './media-content.js';

const collect = (chunks: Iterable<Buffer>) => Buffer.concat([...chunks]);

describe('the sandbox voice is real audio', () => {
  it('an AMR voice has the AMR magic and a 12.2 kbit/s header on every 32-byte frame, across chunk borders', () => {
    const size = 3 * MEDIA_CHUNK_SIZE + 17;
    const body = collect(amrVoiceChunks('voice-id', size));
    expect(body.length).toBe(size);
    expect(body.subarray(0, AMR_MAGIC.length).equals(AMR_MAGIC)).toBe(true);
    for (let at = AMR_MAGIC.length; at < size; at += AMR_FRAME_BYTES) expect(body[at]).toBe(0x3c);
    // shorter sizes are prefixes; other ids sound different
    expect(collect(amrVoiceChunks('voice-id', 1000)).equals(body.subarray(0, 1000))).toBe(true);
    expect(collect(amrVoiceChunks('other-id', 1000)).equals(body.subarray(0, 1000))).toBe(false);
    expect(collect(amrVoiceChunks('voice-id', 4)).equals(AMR_MAGIC.subarray(0, 4))).toBe(true);
  });

  it('ffprobe reads the AMR voice as AMR-NB at 8 kHz with the length its frames give', async () => {
    const size = AMR_MAGIC.length + 500 * AMR_FRAME_BYTES;
    expect(amrVoiceSeconds(size)).toBe(10);
    const info = await probeAudio(collect(amrVoiceChunks('probe-me', size)));
    expect(info).toMatchObject({ format: 'amr', codec: 'amr_nb', sampleRate: 8000 });
    expect(Math.abs(info.seconds - 10) / 10).toBeLessThan(0.05);
  });

  it('the HD voice is 4 s of 16 kHz Speex in Ogg, and a download gives exactly its bytes', async () => {
    expect(await probeAudio(HD_VOICE_SAMPLE)).toMatchObject({ format: 'ogg', codec: 'speex', sampleRate: 16000, seconds: 4 });
    const hd = { mediaId: 'x', size: HD_VOICE_SAMPLE.length, encoding: 'speex' as const };
    expect(collect(downloadChunks(hd)).equals(HD_VOICE_SAMPLE)).toBe(true);
    expect(collect(downloadChunks(hd, 100)).equals(HD_VOICE_SAMPLE.subarray(0, 100))).toBe(true);
  });
});
