// Runs before each test file's imports.
import 'reflect-metadata';

process.env.SESSION_SECRET ??= 'x'.repeat(32);
