import type { JobSchedulerTemplateOptions } from "bullmq";
import { IANAZone } from "luxon";

/** Names of the jobs on the `maintenance` queue (scheduler ids and job names are the same). */
export const MAINTENANCE_JOBS = {
  tokenRefresh: "token-refresh",
  keyHealth: "key-health",
  keyRotation: "key-rotation",
  /** Flatline detection over the workers' score windows, plus the model-expiry watch. */
  driftCheck: "drift-check",
  /** One-off, delayed to the instant the last key-rotation run planned (not a schedule). */
  keyRotationAt: "key-rotation-at",
} as const;

/** How often a schedule fires: a fixed interval or a cron pattern, always with its time zone stated. */
type ScheduleRepeat = { every: number; tz: string } | { pattern: string; tz: string };

/** One repeatable job: a BullMQ job scheduler keyed by `id`, and the job it produces on each tick. */
export interface ScheduleDefinition {
  id: string;
  repeat: ScheduleRepeat;
  template: {
    name: string;
    data: Record<string, string | number | boolean>;
    opts: JobSchedulerTemplateOptions;
  };
}

/** The knobs operators may turn (scheduler env); defaults are the intervals of docs/architecture.md, "Maintenance jobs (the scheduler)". */
export interface ScheduleSettings {
  tokenRefreshEveryMs: number;
  keyHealthEveryMs: number;
  driftCheckEveryMs: number;
  /** Cron pattern of the key-rotation fallback, read in UTC. */
  keyRotationFallbackPattern: string;
}

export const DEFAULT_SCHEDULE_SETTINGS: ScheduleSettings = {
  tokenRefreshEveryMs: 10 * 60_000,
  keyHealthEveryMs: 10 * 60_000,
  driftCheckEveryMs: 5 * 60_000,
  keyRotationFallbackPattern: "0 * * * *",
};

// A run that has not finished after this long is abandoned by BullMQ's stalled check elsewhere;
// keeping a short history makes Bull Board useful without growing the queue.
const TEMPLATE_OPTS: JobSchedulerTemplateOptions = {
  removeOnComplete: { age: 3 * 24 * 3_600, count: 500 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 500 },
};

/**
 * THE list of repeatable jobs. At boot every entry is upserted as a job scheduler and every scheduler
 * not listed here is removed, so this list is the whole truth about what runs.
 *
 * Time zones are stated even where they change nothing: `every` schedules are zone-free (an interval
 * in milliseconds, so DST cannot skip or double a tick) and say "UTC" only so no schedule is read in
 * the host's zone by accident; the cron fallback is in UTC, where no day has 23 or 25 hours.
 *
 * The model-expiry watch (x-alipay-model-expiry) runs inside `drift-check`: both read what the
 * workers recorded per model, so one pass over the models serves both.
 */
export function declaredSchedules(settings: Partial<ScheduleSettings> = {}): ScheduleDefinition[] {
  const s = { ...DEFAULT_SCHEDULE_SETTINGS, ...settings };
  const schedules: ScheduleDefinition[] = [
    {
      // Tokens live 15 min: a 10-min tick refreshes each one once, 5 min before it expires.
      id: MAINTENANCE_JOBS.tokenRefresh,
      repeat: { every: s.tokenRefreshEveryMs, tz: "UTC" },
      template: { name: MAINTENANCE_JOBS.tokenRefresh, data: {}, opts: TEMPLATE_OPTS },
    },
    {
      id: MAINTENANCE_JOBS.keyHealth,
      repeat: { every: s.keyHealthEveryMs, tz: "UTC" },
      template: { name: MAINTENANCE_JOBS.keyHealth, data: {}, opts: TEMPLATE_OPTS },
    },
    {
      // One tick per drift window: each run judges the windows that closed since the last one.
      id: MAINTENANCE_JOBS.driftCheck,
      repeat: { every: s.driftCheckEveryMs, tz: "UTC" },
      template: { name: MAINTENANCE_JOBS.driftCheck, data: {}, opts: TEMPLATE_OPTS },
    },
    {
      // Rotation is driven by the keys' own instants (key-rotation-at); this hourly run only catches
      // a plan that was lost (Redis flushed, a run failed).
      id: MAINTENANCE_JOBS.keyRotation,
      repeat: { pattern: s.keyRotationFallbackPattern, tz: "UTC" },
      template: { name: MAINTENANCE_JOBS.keyRotation, data: { fallback: true }, opts: TEMPLATE_OPTS },
    },
  ];
  for (const schedule of schedules) assertValid(schedule);
  return schedules;
}

/** A schedule BullMQ would accept but run wrongly (an unknown zone falls back silently) is refused at boot. */
export function assertValid(schedule: ScheduleDefinition): void {
  if (!IANAZone.isValidZone(schedule.repeat.tz)) {
    throw new Error(`schedule ${schedule.id}: unknown time zone ${schedule.repeat.tz}`);
  }
  if (
    "every" in schedule.repeat &&
    !(Number.isInteger(schedule.repeat.every) && schedule.repeat.every >= 1_000)
  ) {
    throw new Error(`schedule ${schedule.id}: every must be a whole number of ms, at least 1000`);
  }
}
