import { invalidInput } from '../errors.ts';

/**
 * Standard five-field cron schedules, in UTC as on the LangGraph Platform:
 * `minute hour day-of-month month day-of-week`, each `*`, a number, a range `a-b`, a step
 * `*\/n` or `a-b/n`, or a comma list; months and weekdays also by name (jan, mon…); and
 * the shorthands @yearly @monthly @weekly @daily @hourly.
 */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one counts. */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function parseSchedule(text: string): CronSchedule {
  const expression = SHORTHANDS[text.trim().toLowerCase()] ?? text.trim();
  const fields = expression.split(/\s+/);
  if (fields.length !== 5) {
    throw invalidInput(`schedule "${text}" must have five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"`, { field: 'schedule' });
  }
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const weekdays = parseField(weekday, 0, 7, WEEKDAYS, text);
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0); // 7 is Sunday too
  }
  return {
    minutes: parseField(minute, 0, 59, [], text),
    hours: parseField(hour, 0, 23, [], text),
    days: parseField(day, 1, 31, [], text),
    months: parseField(month, 1, 12, MONTHS, text, 1),
    weekdays,
    dayRestricted: day !== '*',
    weekdayRestricted: weekday !== '*',
  };
}

function parseField(field: string, min: number, max: number, names: string[], text: string, nameBase = 0): Set<number> {
  const out = new Set<number>();
  const bad = (why: string) => invalidInput(`schedule "${text}": ${why}`, { field: 'schedule' });
  const value = (token: string) => {
    const named = names.indexOf(token.toLowerCase());
    const number = named >= 0 ? named + nameBase : Number(token);
    if (!Number.isInteger(number) || number < min || number > max) throw bad(`"${token}" is outside ${min}-${max}`);
    return number;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad(`step "${stepText}" must be a positive integer`);
    let from = min;
    let to = max;
    if (range !== '*') {
      const [start, end] = range.split('-') as [string, string | undefined];
      from = value(start);
      to = end === undefined ? (stepText === undefined ? from : max) : value(end);
      if (to < from) throw bad(`range "${range}" goes backwards`);
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

function dayMatches(schedule: CronSchedule, date: Date): boolean {
  const byDay = schedule.days.has(date.getUTCDate());
  const byWeekday = schedule.weekdays.has(date.getUTCDay());
  if (schedule.dayRestricted && schedule.weekdayRestricted) return byDay || byWeekday;
  return byDay && byWeekday;
}

/** The first time strictly after `after` that the schedule names (to the minute), within ~5 years. */
export function nextRun(schedule: CronSchedule, after: Date): Date | null {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(schedule, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else return t;
  }
  return null;
}
