/** The storage ports' suite against SQLite, in memory and in a file (WAL, as medbill opens it). */
import { openSqliteStorage } from '../../../src/store/sqlite/index.js';
import { tempDbPath } from '../../helpers.js';
import { storageSuite } from './suite.js';

storageSuite('SQLite in memory', () => openSqliteStorage(':memory:'));
storageSuite('SQLite file', () => openSqliteStorage(tempDbPath('medbill-store-')));
