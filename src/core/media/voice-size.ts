import type { MediaRecord } from './media-record.js';

/** The mp3 is mono CBR 32 kbit/s: 4000 bytes for each second of sound. */
const MP3_BYTES_PER_SECOND = 4000;
/**
 * The most bytes a second of sound takes in each voice codec (AMR-NB 12.2 kbit/s, AMR-WB 23.85
 * kbit/s, Speex at its top 44 kbit/s): a voice lasts at least its size over this rate.
 */
const HIGHEST_BYTES_PER_SECOND: Record<string, number> = {
  'audio/amr': 1600,
  'audio/amr-wb': 3050,
  'voice/speex': 5500,
  'audio/speex': 5500,
  'audio/x-speex': 5500,
};

/**
 * The fewest bytes the voice's mp3 can have (0 when its codec is unknown): an AMR-NB voice gives
 * about 2.5 times its size, Speex at least 0.72 times. A lower bound, so a voice is never refused
 * whose mp3 could fit.
 */
export function smallestMp3Bytes(voice: Pick<MediaRecord, 'contentType' | 'size'>): number {
  const rate = HIGHEST_BYTES_PER_SECOND[voice.contentType];
  return rate ? Math.floor((voice.size / rate) * MP3_BYTES_PER_SECOND) : 0;
}
