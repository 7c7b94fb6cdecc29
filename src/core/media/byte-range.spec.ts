import { contentRange, requestedRange } from './byte-range.js';

const ETAG = '"abc"';

describe('requestedRange', () => {
  it('gives one part for the ranges a media element sends', () => {
    expect(requestedRange(1000, 'bytes=0-', undefined, ETAG)).toEqual({ kind: 'part', range: { start: 0, end: 999 } });
    expect(requestedRange(1000, 'bytes=100-199', undefined, ETAG)).toEqual({ kind: 'part', range: { start: 100, end: 199 } });
    expect(requestedRange(1000, 'bytes=-10', undefined, ETAG)).toEqual({ kind: 'part', range: { start: 990, end: 999 } });
    // an end past the size is cut to the last byte
    expect(requestedRange(1000, 'bytes=990-5000', undefined, ETAG)).toEqual({ kind: 'part', range: { start: 990, end: 999 } });
    expect(requestedRange(1000, 'bytes=5-9', ETAG, ETAG)).toEqual({ kind: 'part', range: { start: 5, end: 9 } });
  });

  it('is unsatisfiable when the range starts past the end', () => {
    expect(requestedRange(1000, 'bytes=1000-', undefined, ETAG)).toEqual({ kind: 'unsatisfiable' });
    expect(requestedRange(0, 'bytes=0-', undefined, ETAG)).toEqual({ kind: 'unsatisfiable' });
  });

  it('answers the whole media for no, malformed, other-unit, multiple or stale If-Range requests', () => {
    for (const header of [undefined, '', 'bytes', 'bytes=abc', 'items=0-1', 'bytes=0-1,5-9', 'x'.repeat(201), ['bytes=0-1']]) {
      expect(requestedRange(1000, header, undefined, ETAG)).toEqual({ kind: 'whole' });
    }
    expect(requestedRange(1000, 'bytes=0-1', '"other"', ETAG)).toEqual({ kind: 'whole' });
    // overlapping ranges combine into one part
    expect(requestedRange(1000, 'bytes=0-10,5-20', undefined, ETAG)).toEqual({ kind: 'part', range: { start: 0, end: 20 } });
  });

  it('writes Content-Range for a part and for a 416', () => {
    expect(contentRange(1000, { start: 5, end: 9 })).toBe('bytes 5-9/1000');
    expect(contentRange(1000)).toBe('bytes */1000');
  });
});
