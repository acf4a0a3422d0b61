/** The tests' Postgres: a cluster of the binaries found, a server of one's own, or a printed skip; never a skip under CI. */
import { describe, expect, it } from 'vitest';
import { choosePostgres } from '../../support/postgres-setup.js';
import { findPostgresBin } from '../../support/postgres-cluster.js';

describe("the tests' PostgreSQL", () => {
  it('starts a cluster of the binaries found, or uses MEDBILL_TEST_DATABASE_URL', () => {
    expect(choosePostgres({}, '/usr/lib/postgresql/15/bin')).toEqual({ bin: '/usr/lib/postgresql/15/bin' });
    expect(choosePostgres({ MEDBILL_TEST_DATABASE_URL: 'postgres://me@db/postgres', CI: 'true' }, undefined)).toEqual({ own: 'postgres://me@db/postgres' });
  });

  it('skips with the reason when PostgreSQL is not installed, and fails instead under CI', () => {
    expect(choosePostgres({}, undefined)).toEqual({ skipped: expect.stringMatching(/PostgreSQL is not installed .*apt-get install postgresql/) });
    expect(choosePostgres({ CI: 'false' }, undefined)).toMatchObject({ skipped: expect.any(String) });
    expect(() => choosePostgres({ CI: 'true' }, undefined)).toThrow(/CI is set and PostgreSQL is not installed/);
    expect(() => choosePostgres({ CI: '1' }, undefined)).toThrow(/would be skipped/);
    expect(choosePostgres({ MEDBILL_TEST_POSTGRES: 'off' }, '/usr/lib/postgresql/15/bin')).toEqual({ skipped: 'MEDBILL_TEST_POSTGRES=off' });
    expect(() => choosePostgres({ MEDBILL_TEST_POSTGRES: 'off', CI: 'true' }, '/usr/lib/postgresql/15/bin')).toThrow(/would be skipped/);
  });

  it('finds Debian\'s binaries off PATH', () => {
    const path = process.env.PATH;
    try {
      process.env.PATH = '/nowhere';
      const bin = findPostgresBin();
      // Where Debian's postgresql is installed it is found in /usr/lib/postgresql/<version>/bin; elsewhere, nothing.
      if (bin !== undefined) expect(bin).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
    } finally {
      process.env.PATH = path;
    }
  });
});
