/**
 * The procedure code tables (issue 11, part 1): counts and families, the codes the issue names, lookups,
 * deleted codes kept out, HCPCS titles against the CMS 2020 file, and CDT/CPT descriptions in medbill's own
 * words (never an official descriptor: those are the ADA's and the AMA's).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CodeIndex } from '../../../src/knowledge/lookup.js';
import { CDT_FAMILIES, CPT_FAMILIES } from '../../../src/knowledge/schema.js';
import { cli, kn, shared } from '../../helpers.js';

const cdt = kn.procedureCodes.cdt;
const cpt = kn.procedureCodes.cpt;
const hcpcs = kn.procedureCodes.hcpcs;
const index = new CodeIndex(kn);

/** Lower case, letters and digits only, single spaces: "Biopsy; oropharynx" and "biopsy oropharynx" compare equal. */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
const hash = (s: string) => createHash('sha256').update(norm(s)).digest('hex').slice(0, 16);

/**
 * Official CDT (ADA) and CPT (AMA) descriptors of common codes, kept only as hashes of their normalised text so
 * that the copyrighted wording is not copied here. No description in knowledge/ may hash to one of them.
 */
const OFFICIAL_DESCRIPTOR_HASHES: [string, string][] = [
  ["D0120", "b2519e63abb90c15"],
  ["D0140", "95f5f7b2c0ceafc4"],
  ["D0145", "1907b4fe957b077d"],
  ["D0150", "dec71b93bcfa799b"],
  ["D0160", "f761f6b3c0624c35"],
  ["D0170", "3f96554e7cf19281"],
  ["D0171", "08d8a94fb6cc94c5"],
  ["D0180", "eb00c49e2b121dee"],
  ["D0190", "2bf0fc8ba80d2ebe"],
  ["D0191", "80017874267236be"],
  ["D0210", "d3ad126e0d517f56"],
  ["D0220", "750156df209b0437"],
  ["D0230", "2708f80aa6e84298"],
  ["D0240", "a0e4e59f9498e9e9"],
  ["D0270", "d9efe3dd2eb00a54"],
  ["D0272", "7c378465b42083bf"],
  ["D0273", "99277db98cd85390"],
  ["D0274", "1caebea59dae17fe"],
  ["D0277", "9dddf9dea78dbf83"],
  ["D0310", "3c39fbd901031282"],
  ["D0330", "56369c6b75d3a8d6"],
  ["D0460", "97fbc1f54cf773a7"],
  ["D0470", "d5c436589e58a7eb"],
  ["D1110", "2098c8a93b1c4a4e"],
  ["D1120", "8d4629beb1165a2b"],
  ["D1206", "a9d86c8966c501aa"],
  ["D1208", "f65773760b0c9558"],
  ["D1330", "f19c94e3c8650092"],
  ["D1351", "aefcdb5c11e0ccb0"],
  ["D2140", "490c31dcd419807d"],
  ["D2150", "77d53648473a2901"],
  ["D2330", "cdfcd8ceb9426dd1"],
  ["D2391", "7214db584f7ad26e"],
  ["D2392", "42d6dc9ffea321f4"],
  ["D2740", "84517a35d6f7b028"],
  ["D2750", "3433d7fef0b9d2b6"],
  ["D2920", "d46d40f3e47cd8e3"],
  ["D2950", "077cdd828835532c"],
  ["D3310", "6dea9741c4c4c99b"],
  ["D3330", "9f43f05bd41b1451"],
  ["D4341", "c266659c97e6cb57"],
  ["D4342", "fbe5bb416538ed94"],
  ["D4910", "c4128b414c156b61"],
  ["D4355", "1a31d92c3e3dc67f"],
  ["D5110", "d742da5b572e2fbf"],
  ["D5120", "63063a16ff95dd34"],
  ["D6010", "5a83909356a95493"],
  ["D7140", "6eab499a9cc3f33a"],
  ["D7210", "0f877f65d3a84d79"],
  ["D7220", "5cc358e72df16250"],
  ["D7230", "b2b0103a13cd9f48"],
  ["D7240", "5af70109daef7430"],
  ["D7280", "3ae52fac441e4e9c"],
  ["D7310", "575737f664d38e99"],
  ["D7471", "307ad6ef8d15b1c2"],
  ["D7472", "89023c567bf46b45"],
  ["D7473", "3a1c00230073fe0e"],
  ["D7510", "be870cb5dbaf238f"],
  ["D7880", "874ea49b51f4165c"],
  ["D7961", "9eb5b43cca8ee3c1"],
  ["D7962", "acef070482205a4f"],
  ["D7963", "c630287bf06fcd4c"],
  ["D9110", "444f98f38ac2f782"],
  ["D9222", "b4e9508779706ad1"],
  ["D9223", "d71555d07c54d887"],
  ["D9230", "03edd5b9a164aac3"],
  ["D9239", "adb741ccbda26924"],
  ["D9243", "c5759c0ebae024cb"],
  ["D9310", "311bc7506cd50cba"],
  ["D9944", "d6ec91c608fab0be"],
  ["D9945", "2f05db00eead4658"],
  ["D9946", "c8a66431e66b94ad"],
  ["D9972", "9c8b7b5cd73a8b8a"],
  ["D9975", "14b517a031aa0366"],
  ["D9986", "95531da7dadedadf"],
  ["D9987", "5bbbfb21d44601a0"],
  ["D9985", "35ce64b616e41589"],
  ["D9970", "7d20d10c2d64d58a"],
  ["D7990", "c7af9ec0a8634fc9"],
  ["D5982", "5db0b9d5727ec7d2"],
  ["D5951", "9ee7db319c4ed9a4"],
  ["D5919", "bf8a58c657072ed8"],
  ["D5862", "7bb98e59e4dad2bb"],
  ["00170", "bf3db25acf20b768"],
  ["70355", "b2184434a247174a"],
  ["70486", "7f45d854135ccfb0"],
  ["70487", "273a10b01c7e5d9f"],
  ["70350", "6bf6656322c862ab"],
  ["41010", "8876437b0dbae287"],
  ["41100", "a64a9185a208d43d"],
  ["41105", "18a976a58bc6c6af"],
  ["41108", "b10787e80261514f"],
  ["41115", "33b13a0a5e10650a"],
  ["41800", "f3703367b5373575"],
  ["41899", "9a51229e8ffd4ed7"],
  ["42100", "862e5de687466782"],
  ["42800", "15d92a2c5d3306cd"],
  ["40490", "4a9bfb9497e568c7"],
  ["40806", "b907802ddaee03ec"],
  ["40808", "be99022d86aaf704"],
  ["40819", "63994d1e954c5084"],
  ["21480", "e90ee926686fe432"],
  ["21490", "72a3478422d3f424"],
  ["21031", "5073607dc4b1b8bf"],
  ["21032", "803c5569369a36d0"],
  ["21010", "6388e81c8cd9ab95"],
  ["21050", "1ab919a1222e3589"],
  ["21070", "960eedb61a0e0963"],
  ["21085", "ead331888488abd6"],
  ["21089", "137abec2e939ddb2"],
  ["21215", "a2d839d36073b9a7"],
  ["21215", "5795e23b578495b5"],
  ["21499", "78e888ca5726a34e"],
  ["41874", "96563d18b7f59b13"],
  ["41872", "ff5a0d8a67270663"],
  ["41820", "6820776066d199e6"],
  ["41821", "5d997f8b3b88c5f3"],
  ["41828", "f2ed354469da1c8d"],
  ["41870", "036b40875442de04"],
  ["42140", "9abc3de0455c581a"],
  ["42145", "54f88a31b76fcdda"],
  ["42408", "aaf3d1d426fdf8da"],
  ["42409", "e8c0807b1c97cf3a"],
  ["42440", "4e9f92105002d2da"],
  ["42450", "0a2ed2cf40d3a617"],
  ["42600", "99f1dcc4c35fb42b"],
  ["42650", "9752429e57d447bc"],
  ["42699", "8c3d4d75591eca9b"],
  ["42299", "761b33d5f42de774"],
  ["40799", "2801b9ed48da181c"],
  ["40899", "332cf7488ec5d0c7"],
  ["41599", "df4404360956b711"],
  ["41520", "4669bd65b6e48584"],
  ["70336", "4903fcba8641bb36"],
  ["70320", "bc9af1a979aca55f"],
  ["70300", "daf776792cf8e33b"],
  ["64612", "0ac7a0064b30f8cd"],
  ["99188", "624ddcdd6e7fa3d1"],
  ["20605", "a564d692432808cc"],
  ["29800", "110549f811288c2a"],
  ["29804", "878a0d14b5e83bad"],
  ["95810", "2337d6b9c9591448"],
  ["95811", "e786870aca125ca0"],
];

/** The codes issue 11 names, each of which must be in the tables and found by lookup. */
const NAMED = {
  cdt: [
    'D1110', 'D2391', 'D9972', 'D4341', 'D7280', 'D7283', 'D7310', 'D7320', 'D7471', 'D7472', 'D7473',
    'D7610', 'D7620', 'D7630', 'D7640', 'D7650', 'D7660', 'D7670', 'D7671', 'D7680',
    'D7810', 'D7820', 'D7830', 'D7840', 'D7850', 'D7852', 'D7854', 'D7856', 'D7858', 'D7860', 'D7865', 'D7870',
    'D7871', 'D7872', 'D7873', 'D7874', 'D7875', 'D7876', 'D7877', 'D7880',
    'D9110', 'D9222', 'D9223', 'D9239', 'D9243', 'D9310', 'D9944', 'D9945', 'D9946', 'D9947', 'D9975',
  ],
  cpt: [
    '21480', '21485', '21490', '21030', '21031', '21032', '21034',
    '42200', '42205', '42210', '42215', '42220', '42225', '42226', '42227', '42235', '42260', '42280', '42281',
    '70486', '70487', '70488', '70355',
    '95800', '95801', '95803', '95805', '95806', '95807', '95808', '95810', '95811',
    '99152', '99153', '99155', '99156', '99157', '64612', '99188', '00170',
    '12011', '12018', '12051', '12057', '13131', '13153', '40650', '40652', '40654', '41250', '41251', '41252',
    '99202', '99215', '99221', '99223', '99281', '99285', '21076', '21089', '21120', '21199', '41800', '41874',
    '70100', '70336', '70540', '70543', '42300', '42699',
  ],
  hcpcs: ['E0486', 'E0485', 'K1027', 'A9270', 'G0330', 'G0398', 'G0399', 'G0400'],
};
const MODIFIERS = ['KX', 'GY', 'GA', 'GZ', 'GX', 'EY', 'RT', 'LT', '50', '25', '57', '58', '78', '79', '59', 'XS', 'AS'];

/** Codes deleted from their code set (year of deletion): they must not come back as if current. */
const DELETED = [
  'D1352', // CDT 2026
  'D2941', // CDT 2025 (folded into D2940)
  'D0351', // CDT 2023 (replaced by D0801–D0804)
  'D1515', 'D1525', 'D1550', 'D1555', 'D8691', 'D8692', 'D8693', 'D8694', // CDT 2020
  'D9220', 'D9221', 'D9241', 'D9242', // CDT 2016
  '99201', // CPT 2021
  '99241', '99251', // CPT 2023
];

const CDT_RANGES: [number, number, string][] = [
  [0, 999, 'diagnostic'], [1000, 1999, 'preventive'], [2000, 2999, 'restorative'], [3000, 3999, 'endodontics'],
  [4000, 4999, 'periodontics'], [5000, 5899, 'prosthodontics-removable'], [5900, 5999, 'maxillofacial-prosthetics'],
  [6000, 6199, 'implant-services'], [6200, 6999, 'prosthodontics-fixed'], [7000, 7999, 'oral-surgery'],
  [8000, 8999, 'orthodontics'], [9000, 9999, 'adjunctive'],
];

describe('code tables: size and families', () => {
  it('has at least 400 CDT and 250 CPT codes, the HCPCS codes and the modifiers the issue lists', () => {
    expect(cdt.size).toBeGreaterThanOrEqual(400);
    expect(cpt.size).toBeGreaterThanOrEqual(250);
    for (const m of MODIFIERS) {
      const e = kn.modifiers.get(m);
      expect(e, m).toBeDefined();
      // What it means and when a dental-medical claim uses it.
      expect(e?.note ?? '', m).toMatch(/\b(use|used|put)\b/i);
    }
  });

  it('gives every CDT and CPT code a family, and every family has codes', () => {
    for (const e of [...cdt.values(), ...cpt.values()]) expect(e.family, e.code).toBeDefined();
    for (const f of CDT_FAMILIES) expect([...cdt.values()].filter((e) => e.family === f).length, f).toBeGreaterThan(0);
    for (const f of CPT_FAMILIES) expect([...cpt.values()].filter((e) => e.family === f).length, f).toBeGreaterThan(0);
  });

  it('puts each CDT code in the family of its code range', () => {
    for (const e of cdt.values()) {
      const n = Number(e.code.slice(1));
      const range = CDT_RANGES.find(([lo, hi]) => n >= lo && n <= hi);
      expect(e.family, e.code).toBe(range?.[2]);
    }
  });

  it('files every CPT code under the section its number belongs to', () => {
    // The CPT code set's sections and subsections (AMA), as the knowledge base names its families.
    const sectionOf = (code: string) => {
      const n = Number(code);
      if (code.startsWith('0')) return 'anesthesia';
      if (n >= 10030 && n <= 11999) return 'integumentary-general';
      if (n >= 12001 && n <= 13160) return 'integumentary-repair';
      if (n >= 20100 && n <= 20999) return 'musculoskeletal-general';
      if (n >= 21010 && n <= 21499) return 'musculoskeletal-face-jaw';
      // Arthroscopy of the jaw joint: CPT's endoscopy subsection, filed with the face and jaw it works on.
      if (n >= 29800 && n <= 29804) return 'musculoskeletal-face-jaw';
      if (n >= 30000 && n <= 31299) return 'respiratory-nose-sinus';
      if (n >= 40490 && n <= 40799) return 'digestive-lips';
      if (n >= 40800 && n <= 40899) return 'digestive-vestibule';
      if (n >= 41000 && n <= 41599) return 'digestive-tongue-floor';
      if (n >= 41800 && n <= 41899) return 'digestive-gums-alveolus';
      if (n >= 42000 && n <= 42299) return 'digestive-palate-uvula';
      if (n >= 42300 && n <= 42699) return 'digestive-salivary';
      if (n >= 42700 && n <= 42999) return 'digestive-pharynx';
      if (n >= 64400 && n <= 64999) return 'nervous-system';
      if (n >= 70010 && n <= 76499) return 'radiology';
      if (n >= 95782 && n <= 95811) return 'sleep-testing';
      if (n >= 99151 && n <= 99157) return 'sedation';
      if (n >= 99170 && n <= 99199) return 'medicine-other';
      if (n >= 99202 && n <= 99499) return 'e-m';
      return undefined;
    };
    expect(cpt.size).toBeGreaterThan(300);
    for (const e of cpt.values()) {
      const expected = sectionOf(e.code);
      expect(expected, `${e.code} is in no section this test knows: add its range`).toBeDefined();
      expect(e.family, e.code).toBe(expected);
    }
  });
});

describe('code tables: the codes the issue names', () => {
  it('has every named CDT, CPT and HCPCS code', () => {
    for (const c of NAMED.cdt) expect(cdt.has(c), c).toBe(true);
    for (const c of NAMED.cpt) expect(cpt.has(c), c).toBe(true);
    for (const c of NAMED.hcpcs) expect(hcpcs.has(c), c).toBe(true);
  });

  it('finds each of them by code through the lookup index, in the right set', () => {
    for (const set of ['cdt', 'cpt', 'hcpcs'] as const) {
      for (const c of NAMED[set]) {
        const hit = index.exact(c);
        expect(hit?.code, c).toBe(c);
        expect(hit?.set, c).toBe(set);
        expect(hit?.description.length ?? 0, c).toBeGreaterThan(5);
      }
    }
    expect(index.exact('d1110')?.description).toMatch(/clean/i);
  });

  it('finds routine work by words', () => {
    expect(index.search('scaling and root planing').map((h) => h.code)).toContain('D4341');
    expect(index.search('palatal torus').map((h) => h.code)).toEqual(expect.arrayContaining(['D7472']));
    expect(index.search('dislocated jaw joint', 20).map((h) => h.code)).toEqual(expect.arrayContaining(['21480', '21490', 'D7810', 'D7820']));
  });

  it('leaves deleted codes out', () => {
    for (const c of DELETED) {
      expect(cdt.has(c) || cpt.has(c), c).toBe(false);
      expect(index.exact(c), c).toBeUndefined();
    }
  });

  it('keeps every code a category or the never-suggest list relies on with its notes', () => {
    for (const c of kn.categories) {
      for (const set of ['cdt', 'cpt', 'hcpcs'] as const) for (const x of c.procedureCodes[set]) expect(kn.procedureCodes[set].has(x.code), `${c.id} ${x.code}`).toBe(true);
    }
    expect(cpt.get('70486')?.note).toMatch(/26/);
    expect(cdt.get('D0330')?.note).toMatch(/70355/);
  });
});

describe('code tables: descriptions are medbill\'s own words', () => {
  const ownWords = [...cdt.values(), ...cpt.values()];

  it('keeps CDT and CPT descriptions short', () => {
    for (const e of ownWords) expect(e.description.length, e.code).toBeLessThanOrEqual(120);
  });

  it('never equals an official CDT or CPT descriptor of a common code', () => {
    const official = new Map(OFFICIAL_DESCRIPTOR_HASHES.map(([code, h]) => [h, code]));
    expect(official.size).toBeGreaterThan(100);
    const copied = ownWords.filter((e) => official.has(hash(e.description))).map((e) => `${e.code} (equals the descriptor of ${official.get(hash(e.description))})`);
    expect(copied).toEqual([]);
  });

  it('the check itself catches a copied descriptor', () => {
    // "prophylaxis - adult" is hashed above; a copy with other case and punctuation must still be caught.
    const official = new Set(OFFICIAL_DESCRIPTOR_HASHES.map(([, h]) => h));
    expect(official.has(hash('Prophylaxis: Adult'))).toBe(true);
    expect(official.has(hash(cdt.get('D1110')?.description ?? ''))).toBe(false);
  });

  const domain = shared('research/domain.md');
  it.skipIf(!domain)('never equals a descriptor quoted in shared/research/domain.md', () => {
    const text = readFileSync(domain ?? '', 'utf8');
    // Quoted text: "…" (straight or curly quotes), at least two words.
    const quoted = [...text.matchAll(/["“]([^"”\n]{6,300})["”]/g)].map((m) => norm(m[1] ?? '')).filter((q) => q.includes(' '));
    expect(quoted.length).toBeGreaterThan(3);
    const quotedSet = new Set(quoted);
    expect(ownWords.filter((e) => quotedSet.has(norm(e.description))).map((e) => e.code)).toEqual([]);
  });
});

/** The CMS 2020 HCPCS file: fixed width, code in columns 1–5, record id in column 11 (3 and 4 procedures, 7 and 8 modifiers). */
function readHcpcs2020(path: string): Map<string, string> {
  const titles = new Map<string, string>();
  for (const line of readFileSync(path, 'latin1').split(/\r?\n/)) {
    const rid = line[10];
    if (!rid || !'3478'.includes(rid)) continue;
    const code = line.slice(0, 5).trim();
    const part = line.slice(11, 91).trimEnd();
    titles.set(code, `${titles.get(code) ?? ''} ${part}`.trim());
  }
  return titles;
}

describe('code tables: HCPCS Level II against the CMS 2020 file', () => {
  const file = shared('data/hcpcs/HCPC2020_ANWEB_w_disclaimer.txt');

  it.skipIf(!file)('quotes the public title exactly wherever an entry cites the 2020 file as its title', () => {
    const titles = readHcpcs2020(file ?? '');
    expect(titles.size).toBeGreaterThan(5000);
    for (const e of hcpcs.values()) {
      const title = titles.get(e.code);
      if (e.source.includes('CMS-HCPCS-2020')) expect(e.description, e.code).toBe(title);
      else expect(title, `${e.code} is in the 2020 file but does not cite it`).toBeUndefined();
    }
    // Codes newer than the file are described in our words and say so.
    for (const c of ['K1027', 'G0330']) {
      expect(titles.has(c), c).toBe(false);
      expect(hcpcs.get(c)?.note, c).toMatch(/2020 CMS file/);
    }
  });

  it.skipIf(!file)('has the Level II modifiers in the 2020 file, with their titles in the notes', () => {
    const titles = readHcpcs2020(file ?? '');
    for (const m of MODIFIERS.filter((x) => /^[A-Z]/.test(x))) {
      const title = titles.get(m);
      expect(title, m).toBeDefined();
      const e = kn.modifiers.get(m);
      if (e?.source.includes('CMS-HCPCS-2020') && m !== 'XS') expect(e.note, m).toContain(`"${title}"`);
    }
    // 25, 50, 57, 58, 59, 78, 79 are CPT (Level I) modifiers: not in the Level II file.
    for (const m of ['25', '50', '57', '58', '59', '78', '79']) expect(titles.has(m), m).toBe(false);
  });
});

describe('medbill kb check and lookup (built CLI)', () => {
  it('prints the counts per set, the families and the modifiers', () => {
    const { code, out } = cli(['kb', 'check']);
    expect(code).toBe(0);
    expect(Number(/CDT codes: +(\d+)/.exec(out)?.[1])).toBeGreaterThanOrEqual(400);
    expect(Number(/CPT codes: +(\d+)/.exec(out)?.[1])).toBeGreaterThanOrEqual(250);
    expect(out).toMatch(/oral-surgery \d+/);
    expect(out).toMatch(/musculoskeletal-face-jaw \d+/);
    const mods = /modifiers: ([A-Z0-9 ]+)\)/.exec(out)?.[1]?.split(' ') ?? [];
    expect(mods).toEqual(expect.arrayContaining(MODIFIERS));
  });

  it('medbill lookup D1110 answers with the code', () => {
    const { code, out } = cli(['lookup', 'D1110']);
    expect(code).toBe(0);
    expect(out).toMatch(/D1110/);
    expect(out).toMatch(/clean/i);
  });
});
