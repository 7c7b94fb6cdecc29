import { BatchedLines } from './log-sink.js';

function sink() {
  const writes: string[] = [];
  return { writes, write: (chunk: string) => writes.push(chunk) };
}
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BatchedLines', () => {
  it('hands the lines of one turn on as one write, in order, on the next turn', async () => {
    const out = sink();
    const lines = new BatchedLines(out);
    lines.write('a\n');
    lines.write('b\n');
    lines.write('c\n');
    expect(out.writes).toEqual([]);
    await nextTurn();
    expect(out.writes).toEqual(['a\nb\nc\n']);
    lines.write('d\n');
    await nextTurn();
    expect(out.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('builds recorded lines only when the batch is written, keeping them in order with the others', async () => {
    const out = sink();
    const lines = new BatchedLines(out);
    const built: number[] = [];
    const format = (n: number) => {
      built.push(n);
      return `record ${n}\n`;
    };
    lines.write('first\n');
    lines.writeLater(1, format);
    lines.write('between\n');
    lines.writeLater(2, format);
    expect(built).toEqual([]);
    await nextTurn();
    expect(out.writes).toEqual(['first\nrecord 1\nbetween\nrecord 2\n']);
  });

  it('writes at once when a batch reaches 64 KiB', () => {
    const out = sink();
    const lines = new BatchedLines(out);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) lines.write(line);
    expect(out.writes).toHaveLength(1);
    expect(out.writes[0]).toHaveLength(64 * 1024);
  });

  it('flush() writes what is pending (used at exit), and nothing when nothing is', () => {
    const out = sink();
    const lines = new BatchedLines(out);
    lines.flush();
    expect(out.writes).toEqual([]);
    lines.write('last words\n');
    lines.flush();
    expect(out.writes).toEqual(['last words\n']);
  });
});
