import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LOCK_FILE = 'mall.lock';
/** The extensions the migrations create, as on a real server (PGlite ships them as modules). */
const OPTIONS: PGliteOptions = { extensions: { pg_trgm } };

/**
 * An embedded PostgreSQL (PGlite) under `dataDir`, reached through PGlite's own
 * node-postgres adapter so TypeORM's ordinary `postgres` driver runs on it.
 *
 * PGlite has a single connection and does not lock its directory, so this takes a lock
 * file (refusing a second live process) and must be closed on shutdown.
 */
export class EmbeddedPostgres {
  private constructor(
    readonly pglite: PGlite,
    private readonly lockPath: string | undefined,
  ) {}

  /** `dataDir` of `memory://` keeps everything in memory (used by tests). */
  static async open(dataDir: string): Promise<EmbeddedPostgres> {
    if (dataDir.startsWith('memory://')) {
      const pglite = new PGlite(dataDir, OPTIONS);
      await pglite.waitReady;
      return new EmbeddedPostgres(pglite, undefined);
    }
    const directory = resolve(dataDir);
    mkdirSync(directory, { recursive: true });
    const lockPath = takeLock(join(directory, LOCK_FILE));
    try {
      const pglite = new PGlite(join(directory, 'pgdata'), OPTIONS);
      await pglite.waitReady;
      return new EmbeddedPostgres(pglite, lockPath);
    } catch (error) {
      rmSync(lockPath, { force: true });
      throw error;
    }
  }

  /** The node-postgres `connection` to hand TypeORM (through `extra`). */
  connection(): unknown {
    return createPgConfig(this.pglite).connection;
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) {
      await this.pglite.close();
    }
    if (this.lockPath) {
      rmSync(this.lockPath, { force: true });
    }
  }
}

function takeLock(lockPath: string): string {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return lockPath;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (isAlive(holder)) {
        throw new Error(
          `The embedded database in ${lockPath.replace(/\/[^/]+$/, '')} is in use by process ${holder}; ` +
            'stop it or choose another DATA_DIR',
        );
      }
      rmSync(lockPath, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
