/** The storage ports' suite against PostgreSQL: an emptied database per test in the run's throwaway cluster. */
import { describePostgres, emptyPostgresStorage } from '../../support/postgres.js';
import { storageSuite } from './suite.js';

describePostgres('PostgreSQL', () => storageSuite('PostgreSQL', emptyPostgresStorage));
