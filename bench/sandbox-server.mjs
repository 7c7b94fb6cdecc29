// The WeChat simulator in a process of its own, so the load generator never starves it.
// Options as JSON in argv[2]; prints "listening on URL".
import { startSandbox } from '../dist/sandbox/index.js';

const server = await startSandbox(JSON.parse(process.argv[2] ?? '{}'));
process.stdout.write(`listening on ${server.url}\n`);
