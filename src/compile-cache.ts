import { enableCompileCache } from 'node:module';

/**
 * Imported first by `main.ts`: V8 keeps the compiled code of every module loaded after
 * this in a cache on disk (under the OS temp directory, or `NODE_COMPILE_CACHE`), so a
 * restart compiles none of them again. A cache that cannot be written is skipped silently.
 */
(enableCompileCache as undefined | (() => void))?.();
