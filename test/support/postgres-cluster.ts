/**
 * A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, the server on a Unix socket in
 * that folder (no TCP port: nothing to collide with, nothing reachable from the network), stopped and
 * deleted after. As root (initdb refuses root) the cluster belongs to `nobody`. Debian's binaries live in
 * /usr/lib/postgresql/<version>/bin, which is not on PATH; both places are looked in.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface Cluster { dir: string; socketDir: string; user: string; bin: string; run: (cmd: string, args: string[]) => void }

/** The folder holding initdb, pg_ctl and postgres, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => join('/usr/lib/postgresql', v, 'bin'))
    : [];
  return [...debian, ...onPath].find((d) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(d, b))));
}

/** Whatever would leak into the server: libfaketime (the date tests run under it) must not freeze its clock. */
function serverEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_NO_CACHE', 'DONT_FAKE_MONOTONIC', 'PGDATA', 'PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE']) delete env[k];
  return env;
}

export function startCluster(bin: string): Cluster {
  const dir = mkdtempSync(join(tmpdir(), 'medbill-pg-'));
  const asRoot = process.getuid?.() === 0;
  // initdb will not run as root: the cluster's files and processes belong to nobody, the folder is theirs.
  if (asRoot) chownSync(dir, 65534, 65534);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'nobody', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const res = spawnSync(file, argv, { cwd: dir, env: serverEnv(), encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0) throw new Error(`${cmd} failed (${res.status ?? res.signal}): ${res.error?.message ?? ''}${res.stderr}${res.stdout}`);
  };
  const data = join(dir, 'data');
  const user = 'medbill';
  run('initdb', ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  // Durability is not what the tests test: without fsync a database is made in milliseconds.
  writeFileSync(join(dir, 'start.log'), '');
  if (asRoot) chownSync(join(dir, 'start.log'), 65534, 65534);
  run('pg_ctl', ['-D', data, '-l', join(dir, 'start.log'), '-w', '-t', '60', '-o',
    `-k ${dir} -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, 'start']);
  return { dir, socketDir: dir, user, bin, run };
}

export function stopCluster(c: Cluster): void {
  try {
    c.run('pg_ctl', ['-D', join(c.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  } finally {
    rmSync(c.dir, { recursive: true, force: true });
  }
}

/** The cluster's `postgres` database, for making others in it. */
export const adminUrl = (c: Cluster): string => `postgres://${c.user}@localhost/postgres?host=${c.socketDir}`;

/** A new database named `name` in the server at `serverUrl` (its `postgres` database); its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
