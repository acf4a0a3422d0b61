/**
 * The composition root's house for tests, over the knowledge the tests share: each part of the shelf is read
 * once per test file (src/root/shelf.ts reads it once per house; a test opens many).
 */
import type { Storage } from '../../src/store/storage.js';
import type { Config } from '../../src/config.js';
import { openShelf } from '../../src/root/shelf.js';
import { House, openEngine as rootOpenEngine, openHouse as rootOpenHouse, type HouseOptions } from '../../src/root/house.js';
import { BackOffice } from '../../src/root/back-office.js';
import { kn } from '../helpers.js';

export { House } from '../../src/root/house.js';

export const shelf = openShelf(undefined, { knowledge: () => kn });

export function openHouse(config: Config, opts: Parameters<typeof rootOpenHouse>[1] = {}): House {
  return rootOpenHouse(config, { shelf, ...opts });
}

export function openEngine(storage: Storage, opts: HouseOptions = {}): House['engine'] {
  return rootOpenEngine(storage, { shelf, ...opts });
}

/** The services over storage the test brings (claims, letters, digests, codes), as the root builds them. */
export function backOffice(storage: Storage, opts: { now?: () => number } = {}): BackOffice {
  return new BackOffice(storage, { shelf, ...opts });
}
