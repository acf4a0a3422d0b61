/** The storage ports' suite against PostgreSQL: a fresh database per test in the run's throwaway cluster. */
import { describePostgres, freshPostgresStorage } from '../../support/postgres.js';
import { storageSuite } from './suite.js';

describePostgres('PostgreSQL', () => storageSuite('PostgreSQL', freshPostgresStorage));
