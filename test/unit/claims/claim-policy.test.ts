import { describe, expect, it } from 'vitest';
import { loadClaimKnowledge } from '../../../src/knowledge/followup-denials.js';
import {
  appealDeadline, appealDeadlineWarning, authWarning, firstFollowUp, nextFollowUp, notSubmittedReminder, recordsDueDefault, stateFilingLimits, timelyFilingDeadline,
} from '../../../src/claims/policy.js';
import { addDays, addMonths, dateOf, daysBetween, fullYear, isIsoDate, monthNumber } from '../../../src/calendar.js';
import { CLAIM_PAYER_KINDS } from '../../../src/knowledge/vocabulary.js';

const { policy, sources } = loadClaimKnowledge();

describe('knowledge/followup.json', () => {
  it('has every value with a defined source', () => {
    const settings = [
      policy.followUp.firstAfterSubmissionDays, policy.followUp.repeatEveryDays, policy.appealWarningDays,
      policy.recordsDueDefaultDays, policy.authExpiryWarningDays, policy.notSubmittedReminderDays,
      ...CLAIM_PAYER_KINDS.map((p) => policy.appealDeadlines[p]), ...CLAIM_PAYER_KINDS.map((p) => policy.timelyFiling[p]),
    ];
    for (const s of settings) {
      expect(s.source.length).toBeGreaterThan(0);
      for (const id of s.source) expect(sources.has(id), id).toBe(true);
    }
  });

  it('keeps the defaults the research supports', () => {
    expect(policy.followUp.firstAfterSubmissionDays).toMatchObject({ value: 14, min: 10, max: 14 });
    expect(policy.followUp.repeatEveryDays.value).toBe(7);
    expect(policy.appealDeadlines.medicare).toMatchObject({ days: 120, confidence: 'verified' });
    expect(policy.appealDeadlines.commercial.days).toBe(180);
    expect(policy.appealDeadlines.tricare.days).toBe(90);
    expect(policy.timelyFiling.medicare.months).toBe(12);
    expect(policy.timelyFiling.commercial.days).toBe(90);
    expect(policy.timelyFiling.medicaid.days).toBe(90);
    expect(policy.appealWarningDays.value).toBe(14);
    expect(policy.notSubmittedReminderDays.value).toBe(7);
  });

  it('marks practice defaults as secondary', () => {
    for (const s of [policy.recordsDueDefaultDays, policy.authExpiryWarningDays, policy.notSubmittedReminderDays, policy.appealDeadlines.other, policy.timelyFiling.other]) {
      expect(s.source).toContain('MEDBILL-DEFAULT');
      expect(s.confidence).toBe('secondary');
    }
  });
});

describe('date arithmetic', () => {
  it('adds days across month ends, year ends and leap days', () => {
    expect(addDays('2025-01-31', 1)).toBe('2025-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-12-25', 14)).toBe('2025-01-08');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-03-09', 1)).toBe('2025-03-10'); // the US daylight-saving change does not move a date
    expect(addDays('2025-11-02', 1)).toBe('2025-11-03');
  });

  it('adds months to the last day of a shorter month', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
  });

  it('counts days between dates', () => {
    expect(daysBetween('2024-02-01', '2024-03-01')).toBe(29);
    expect(daysBetween('2025-02-01', '2025-03-01')).toBe(28);
    expect(daysBetween('2025-03-01', '2025-02-01')).toBe(-28);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2025-06-10', '2025-06-10')).toBe(0);
  });

  it('refuses what is not a calendar date', () => {
    expect(() => addDays('2025-02-29', 1)).toThrow(/not a date/);
    expect(() => addDays('12/3/2025', 1)).toThrow(/not a date/);
    expect(() => daysBetween('2025-01-01T10:00', '2025-01-02')).toThrow(/not a date/);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
  });

  it('builds a date from numbers only when it is a real one, and reads month names and two-digit years', () => {
    expect(dateOf(2026, 3, 9)).toBe('2026-03-09');
    expect(dateOf(2024, 2, 29)).toBe('2024-02-29');
    for (const [y, m, d] of [[2025, 2, 29], [2026, 13, 1], [2026, 0, 10], [2026, 4, 31], [2026, 4, 0], [2026.5, 1, 1]] as const) expect(dateOf(y, m, d)).toBeUndefined();
    expect(fullYear('26')).toBe(2026);
    expect(fullYear('2026')).toBe(2026);
    expect(['Jan', 'sept.', 'Sep', 'march', 'DECEMBER'].map(monthNumber)).toEqual([1, 9, 9, 3, 12]);
    for (const w of ['ja', 'smarch', 'novembre', '']) expect(monthNumber(w)).toBeUndefined();
  });
});

describe('follow-up dates', () => {
  it('first follow-up 14 days after submission, then every 7 days', () => {
    expect(firstFollowUp('2025-03-20', policy)).toBe('2025-04-03');
    expect(nextFollowUp('2025-04-03', policy)).toBe('2025-04-10');
    expect(firstFollowUp('2024-02-20', policy)).toBe('2024-03-05');
    expect(nextFollowUp('2025-12-29', policy)).toBe('2026-01-05');
  });

  it('records are due 14 days after a request without a date', () => {
    expect(recordsDueDefault('2025-01-25', policy)).toBe('2025-02-08');
  });
});

describe('appeal deadlines', () => {
  it('Medicare: 120 days from the denial', () => {
    const d = appealDeadline('medicare', '2025-03-03', policy);
    expect(d.date).toBe('2025-07-01');
    expect(d.days).toBe(120);
    expect(d.source).toContain('CFR-405-942');
    expect(d.basis).toMatch(/redetermination/);
    expect(appealDeadline('medicare', '2024-01-15', policy).date).toBe('2024-05-14'); // through leap-year February
  });

  it('commercial: 180 days by default, or the plan\'s own window', () => {
    expect(appealDeadline('commercial', '2025-01-10', policy)).toMatchObject({ date: '2025-07-09', days: 180 });
    const own = appealDeadline('commercial', '2025-01-10', policy, 60);
    expect(own).toMatchObject({ date: '2025-03-11', days: 60 });
    expect(own.basis).toMatch(/60 days/);
    expect(() => appealDeadline('commercial', '2025-01-10', policy, 0)).toThrow(RangeError);
  });

  it('every payer kind has a deadline', () => {
    for (const p of CLAIM_PAYER_KINDS) expect(appealDeadline(p, '2025-06-30', policy).date > '2025-06-30').toBe(true);
    expect(appealDeadline('tricare', '2025-06-30', policy).date).toBe('2025-09-28');
    expect(appealDeadline('medicare-advantage', '2025-06-30', policy).date).toBe('2025-08-29');
  });

  it('warns within 14 days and after the deadline', () => {
    expect(appealDeadlineWarning('2025-07-01', '2025-06-01', policy)).toBeUndefined();
    expect(appealDeadlineWarning('2025-07-01', '2025-06-17', policy)).toMatch(/in 14 days \(2025-07-01\)/);
    expect(appealDeadlineWarning('2025-07-01', '2025-07-01', policy)).toMatch(/today/);
    expect(appealDeadlineWarning('2025-07-01', '2025-07-02', policy)).toMatch(/passed on 2025-07-01/);
  });
});

describe('timely filing', () => {
  it('Medicare: one calendar year after the date of service', () => {
    const d = timelyFilingDeadline('medicare', '2025-03-15', policy);
    expect(d).toMatchObject({ date: '2026-03-15', months: 12 });
    expect(d.source).toContain('CFR-424-44');
    expect(timelyFilingDeadline('medicare', '2024-02-29', policy).date).toBe('2025-02-28');
  });

  it('commercial and Medicaid: the conservative 90 days', () => {
    expect(timelyFilingDeadline('commercial', '2025-11-15', policy)).toMatchObject({ date: '2026-02-13', days: 90 });
    expect(timelyFilingDeadline('medicaid', '2024-12-01', policy).date).toBe('2025-03-01');
    expect(timelyFilingDeadline('tricare', '2025-03-22', policy).date).toBe('2026-03-22');
  });

  it('auto, workers\' compensation and liability insurers: their own limits, each with the state rule it rests on', () => {
    // New York no-fault wants the claim within 45 days: medbill reminds well inside it.
    const auto = timelyFilingDeadline('auto', '2025-11-01', policy);
    expect(auto).toMatchObject({ date: '2025-12-01', days: 30 });
    expect(auto.source).toContain('NY-NOFAULT-45');
    expect(policy.timelyFiling.auto.basis).toMatch(/45 days/);
    // Texas workers' compensation: the 95th day after the service.
    const work = timelyFilingDeadline('workers-comp', '2025-11-01', policy);
    expect(work.days).toBeLessThan(95);
    expect(work.source).toContain('TX-WC-133');
    expect(policy.timelyFiling['workers-comp'].basis).toMatch(/95th day/);
    expect(policy.timelyFiling.liability.basis).toMatch(/settlement/);
    for (const p of ['auto', 'workers-comp', 'liability'] as const) expect(appealDeadline(p, '2025-11-01', policy).days).toBe(30);
  });

  it('the states whose own limits are known, each sourced, and what to check elsewhere (issue 22)', () => {
    const states = (p: 'auto' | 'workers-comp') => Object.fromEntries((policy.timelyFiling[p].states ?? []).map((s) => [s.state, s]));
    expect(states('auto').NY).toMatchObject({ days: 45, source: ['NY-NOFAULT-45'] });
    const wc = states('workers-comp');
    expect(wc.TX).toMatchObject({ days: 95, source: ['TX-WC-133'] });
    expect(wc.CA).toMatchObject({ months: 12, source: ['CA-DWC-BILLING'], confidence: 'verified' });
    expect(wc.MD).toMatchObject({ months: 12, confidence: 'secondary' });
    expect(wc.MD?.from).toMatch(/later of the service/);
    expect(wc.GA).toMatchObject({ months: 12, source: ['GA-SBWC-203'] });
    for (const p of CLAIM_PAYER_KINDS) {
      for (const s of policy.timelyFiling[p].states ?? []) for (const id of s.source) expect(sources.has(id), `${p} ${s.state} ${id}`).toBe(true);
      // The default stays inside every state limit listed: medbill never reminds after a known deadline.
      for (const s of policy.timelyFiling[p].states ?? []) expect(policy.timelyFiling[p].days ?? 0).toBeLessThanOrEqual(s.days ?? (s.months ?? 0) * 28);
    }
    expect(stateFilingLimits('workers-comp', policy)).toMatch(/^State limits medbill knows: TX 95 days; CA 12 months; MD 12 months from the later of .*Other states set their own limits/);
    expect(stateFilingLimits('auto', policy)).toMatch(/NY 45 days\. Other states set their own no-fault/);
    expect(stateFilingLimits('commercial', policy)).toBeUndefined();
    // Liability: no state list, but what to watch instead.
    expect(policy.timelyFiling.liability.otherStates).toMatch(/sets no filing limit for the provider/);
  });
});

describe('prior authorization warnings', () => {
  it('an authorization ending before the service date', () => {
    expect(authWarning('2025-05-31', '2025-06-10', '2025-05-01', policy)).toMatch(/ends on 2025-05-31, before the service date 2025-06-10/);
  });

  it('an authorization about to expire with the service still ahead', () => {
    expect(authWarning('2025-05-31', '2025-05-30', '2025-05-20', policy)).toMatch(/expires in 11 days \(2025-05-31\)/);
    expect(authWarning('2025-05-31', undefined, '2025-05-30', policy)).toMatch(/expires tomorrow/);
    expect(authWarning('2025-05-31', '2025-05-31', '2025-05-31', policy)).toMatch(/expires today/);
  });

  it('an expired authorization with no service date', () => {
    expect(authWarning('2025-05-31', undefined, '2025-06-02', policy)).toMatch(/expired on 2025-05-31/);
  });

  it('nothing to say when the expiry is far off or the service is done', () => {
    expect(authWarning('2025-12-31', '2025-06-10', '2025-05-01', policy)).toBeUndefined();
    expect(authWarning('2025-05-31', '2025-05-15', '2025-05-25', policy)).toBeUndefined();
    expect(authWarning('2025-05-31', '2025-05-15', '2025-06-25', policy)).toBeUndefined();
  });
});

describe('claims not submitted', () => {
  it('reminds 7 days after the service', () => {
    expect(notSubmittedReminder('2025-06-01', '2025-06-07', policy)).toBeUndefined();
    expect(notSubmittedReminder('2025-06-01', '2025-06-08', policy)).toMatch(/not submitted yet \(7 days since the service\)/);
  });
});
