/**
 * Imported first by `main.ts` (before any module that loads `http`, `express`, `pg` or
 * `ioredis`), so the instrumentations are in place when those modules load.
 */
import { startTracing } from './tracing';

startTracing(process.env);
