import pino from 'pino';

/** Anything log lines can be written to. */
export interface LogStream {
  write(chunk: string): unknown;
}

/** Builds one log line (ending in a newline) from what was recorded. */
export type LineFormat<R> = (record: R) => string;

const MAX_BATCH_BYTES = 64 * 1024;
// What a deferred line is counted as until it is built.
const DEFERRED_LINE_BYTES = 256;

/**
 * Collects the log lines of one turn of the event loop and hands them on as one write. Under
 * load a turn answers many requests; one write per line cost more than signing a request. A
 * line may also be recorded as raw values and built only when the batch is written: building
 * lines one after another in a tight loop is several times cheaper than building each in the
 * middle of its request. Lines keep their order, a batch is written once it reaches 64 KiB,
 * and what is pending is written when the process exits (stdoutLogStream).
 */
export class BatchedLines implements LogStream {
  // Pairs: [null, line] for a line as written, [format, record] for a line built at flush.
  private queue: unknown[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly flushSoon = () => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly sink: LogStream) {}

  write(chunk: string): boolean {
    this.queue.push(null, chunk);
    this.added(chunk.length);
    return true;
  }

  /** Records a line that `format` builds from `record` when the batch is written. */
  writeLater<R>(record: R, format: LineFormat<R>): void {
    this.queue.push(format, record);
    this.added(DEFERRED_LINE_BYTES);
  }

  flush(): void {
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    this.bytes = 0;
    let batch = '';
    for (let i = 0; i < queue.length; i += 2) {
      const format = queue[i] as LineFormat<unknown> | null;
      batch += format === null ? (queue[i + 1] as string) : format(queue[i + 1]);
    }
    this.sink.write(batch);
  }

  private added(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes >= MAX_BATCH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }
}

/**
 * stdout for the service's logs: batched per turn into synchronous writes (pino's default
 * mode: a line is out before the process can die, and a log reader that stops reading
 * slows the service rather than losing lines). sonic-boom handles partial writes and EAGAIN.
 */
export function stdoutLogStream(): BatchedLines {
  if (!stdout) {
    const lines = new BatchedLines(pino.destination({ dest: 1, sync: true }));
    process.once('exit', () => lines.flush());
    stdout = lines;
  }
  return stdout;
}
let stdout: BatchedLines | undefined;
