import { HD_VOICE_SAMPLE } from '../../sandbox/hd-voice-sample.js';
import { AMR_FRAME_BYTES, AMR_MAGIC } from '../../sandbox/media-content.js';
import { smallestMp3Bytes } from './voice-size.js';

describe('smallestMp3Bytes', () => {
  it('an AMR-NB voice: 2.5 times its size (1600 bytes of AMR, 4000 of mp3 a second)', () => {
    const eightSeconds = AMR_MAGIC.length + 8 * 50 * AMR_FRAME_BYTES;
    expect(smallestMp3Bytes({ contentType: 'audio/amr', size: eightSeconds })).toBe(Math.floor(eightSeconds * 2.5));
    expect(smallestMp3Bytes({ contentType: 'audio/amr', size: 1600 })).toBe(4000);
  });

  it('Speex is assumed at its highest rate: the 4 s HD sample (12 kbit/s) is estimated well below its 16 KB mp3', () => {
    const estimate = smallestMp3Bytes({ contentType: 'voice/speex', size: HD_VOICE_SAMPLE.length });
    expect(estimate).toBe(Math.floor((HD_VOICE_SAMPLE.length / 5500) * 4000));
    expect(estimate).toBeLessThan(4 * 4000);
  });

  it('nothing is assumed of other types (Ogg may hold anything), nor of an empty voice', () => {
    expect(smallestMp3Bytes({ contentType: 'audio/ogg', size: 10_000_000 })).toBe(0);
    expect(smallestMp3Bytes({ contentType: 'image/jpeg', size: 10_000_000 })).toBe(0);
    expect(smallestMp3Bytes({ contentType: 'audio/amr', size: 0 })).toBe(0);
  });
});
