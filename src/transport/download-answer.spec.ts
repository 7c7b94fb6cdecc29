import { PassThrough, Readable } from 'node:stream';
import {
  filenameFromDisposition,
  JSON_ANSWER_LIMIT,
  kindOfContentType,
  mustReadAsJson,
  parseContentLength,
  readHead,
  startsLikeJson,
} from './download-answer.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('telling a download’s JSON answer from its file', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['text/plain', 'json'],
    ['TEXT/PLAIN; charset=UTF-8', 'json'],
    ['text/html; charset=utf-8', 'html'],
    ['image/jpeg', 'binary'],
    ['audio/amr', 'binary'],
    ['voice/speex', 'binary'],
    ['application/octet-stream', 'binary'],
    ['', 'binary'],
    [undefined, 'binary'],
  ])('Content-Type %j reads as %s', (type, kind) => {
    expect(kindOfContentType(type)).toBe(kind);
  });

  it.each(['{"errcode":40007}', '  {', '\r\n\t{', '\ufeff{"a":1}'])('%j opens like JSON', (text) => {
    expect(startsLikeJson(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it.each(['', '#!AMR\n', '\xff\xd8\xff\xe0', 'OggS', '[1]', ' ', 'x{'])('%j does not', (text) => {
    expect(startsLikeJson(bytes(text))).toBe(false);
  });

  it('reads as JSON: anything labelled JSON, and small binaries that open with {', () => {
    expect(mustReadAsJson('json', bytes('\xff\xd8'), 10_000_000)).toBe(true);
    expect(mustReadAsJson('binary', bytes('{"video_url":"x"}'), 17)).toBe(true);
    expect(mustReadAsJson('binary', bytes('{'), undefined)).toBe(true);
    expect(mustReadAsJson('binary', bytes('{'), JSON_ANSWER_LIMIT + 1)).toBe(false);
    expect(mustReadAsJson('binary', bytes('\xff\xd8'), 10)).toBe(false);
    expect(mustReadAsJson('html', bytes('{'), 10)).toBe(false);
  });

  it.each([
    ['339721', 339721],
    [' 12 ', 12],
    ['0', 0],
    ['', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    ['12, 12', undefined],
    [undefined, undefined],
  ])('Content-Length %j is %j', (header, value) => {
    expect(parseContentLength(header)).toBe(value);
  });

  it.each([
    ['attachment; filename="MEDIA_ID.jpg"', 'MEDIA_ID.jpg'],
    ['attachment; filename=a.amr', 'a.amr'],
    ['attachment; FILENAME="x.speex"', 'x.speex'],
    ['attachment; filename="../../etc/passwd"', undefined],
    ['attachment; filename="a\\\\b"', undefined],
    ['attachment; filename=".."', undefined],
    ['attachment; filename=""', undefined],
    ['attachment', undefined],
    [undefined, undefined],
  ])('Content-disposition %j gives the name %j', (header, name) => {
    expect(filenameFromDisposition(header)).toBe(name);
  });
});

describe('readHead', () => {
  it('reads what it needs and loses nothing once the rest is put back', async () => {
    const stream = new PassThrough();
    stream.write('abc');
    stream.write('def');
    const head = await readHead(stream, 0);
    expect(head.ended).toBe(false);
    expect(head.bytes.length).toBeGreaterThan(0);
    stream.unshift(head.bytes);
    stream.end('ghi');
    const rest: Buffer[] = [];
    for await (const chunk of stream) rest.push(chunk as Buffer);
    expect(Buffer.concat(rest).toString()).toBe('abcdefghi');
  });

  it('says when the stream ended within the bytes asked for', async () => {
    const head = await readHead(Readable.from([bytes('{"errcode":'), bytes('40007}')], { objectMode: false }), 1000);
    expect(head).toEqual({ bytes: bytes('{"errcode":40007}'), ended: true });
    expect(await readHead(Readable.from([], { objectMode: false }), 10)).toEqual({ bytes: Buffer.alloc(0), ended: true });
  });

  it('rejects when the stream fails or was already destroyed', async () => {
    const failing = new PassThrough();
    const reading = readHead(failing, 10);
    failing.destroy(new Error('aborted'));
    await expect(reading).rejects.toThrow('aborted');
    await expect(readHead(failing, 10)).rejects.toThrow('aborted');
  });
});
