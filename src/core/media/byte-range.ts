import parseRange from 'range-parser';

/** Bytes `start` to `end` of a media, both included. */
export interface ByteRange {
  start: number;
  end: number;
}

/** `bytes=` and one or more `first-last` (either side may be empty), the only syntax looked at. */
const BYTE_RANGES = /^bytes=[ \t]*\d*-\d*(?:[ \t]*,[ \t]*\d*-\d*)*[ \t]*$/;

/** What a GET with these headers asks of a media of `size` bytes. */
export type RangeAnswer = { kind: 'whole' } | { kind: 'part'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Reads a `Range` header the way browsers' media elements use it: one `bytes=` range gives a
 * part (206); a range that starts past the end is unsatisfiable (416). A malformed header, another
 * unit, several ranges (a multipart answer no player asks for) or an `If-Range` that does not
 * match the current ETag get the whole media (200), as HTTP allows.
 */
export function requestedRange(size: number, range: unknown, ifRange: unknown, etag: string): RangeAnswer {
  if (typeof range !== 'string' || range.length === 0 || range.length > 200) return { kind: 'whole' };
  if (ifRange !== undefined && ifRange !== etag) return { kind: 'whole' };
  if (!BYTE_RANGES.test(range)) return { kind: 'whole' };
  const ranges = parseRange(size, range, { combine: true });
  if (ranges === -1) return { kind: 'unsatisfiable' };
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return { kind: 'whole' };
  return { kind: 'part', range: { start: ranges[0].start, end: ranges[0].end } };
}

/** The Content-Range of a part, or of a 416 (`bytes *\/size`). */
export function contentRange(size: number, range?: ByteRange): string {
  return range ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}
