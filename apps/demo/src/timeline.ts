import type { Incident, IncidentContext } from "./incidents/incident";
import { KeyRotation } from "./incidents/key-rotation";
import { ModelRetirement } from "./incidents/model-retirement";
import { RateLimitStorm } from "./incidents/rate-limit-storm";
import { TokenExpiry } from "./incidents/token-expiry";
import { YoungAccount } from "./incidents/young-account";
import type { Readings } from "./readings";

/**
 * The field report's incidents along the timeline, as shares of the duration. The model retires
 * first: its retirement date is then riskq's "now", which the drift check compares with its own
 * clock — after the token expiry's clock jump it would lie 15 min in riskq's future.
 */
export function planIncidents(durationMs: number): Incident[] {
  return [
    new ModelRetirement(0.1),
    new KeyRotation(0.24),
    new TokenExpiry(0.4),
    new RateLimitStorm(0.55, Math.max(2_000, durationMs * 0.08)),
    new YoungAccount(0.72),
  ];
}

type EntryState = "planned" | "injected" | "handled";

/** One incident's progress along the timeline. */
export interface TimelineEntry {
  incident: Incident;
  dueAtMs: number;
  state: EntryState;
  injectedAtMs?: number;
  handledAtMs?: number;
  /** What riskq did, once the signals showed it. */
  handled?: string;
  followedUp: boolean;
  /** The last failure to inject or check (the sandbox or a signal did not answer). */
  error?: string;
}

/** Something worth a line of its own in the output. */
export interface TimelineEvent {
  kind: "injected" | "handled" | "note" | "error";
  atMs: number;
  name: string;
  text: string;
}

/** Injects each incident when its time comes and checks the injected ones at every tick. */
export class Timeline {
  readonly entries: TimelineEntry[];

  constructor(
    incidents: readonly Incident[],
    durationMs: number,
    private readonly ctx: IncidentContext,
    private readonly onEvent: (event: TimelineEvent) => void,
  ) {
    this.entries = incidents.map((incident) => ({
      incident,
      dueAtMs: Math.round(incident.at * durationMs),
      state: "planned",
      followedUp: false,
    }));
  }

  /** Whether every incident was injected and confirmed handled. */
  get allHandled(): boolean {
    return this.entries.every((e) => e.state === "handled");
  }

  /** One step at `elapsedMs` into the timeline, with fresh readings. */
  async tick(elapsedMs: number, readings: Readings): Promise<void> {
    for (const entry of this.entries) {
      const { incident } = entry;
      try {
        if (entry.state === "planned" && elapsedMs >= entry.dueAtMs) {
          await incident.inject(this.ctx, readings);
          entry.state = "injected";
          entry.injectedAtMs = elapsedMs;
          this.onEvent({ kind: "injected", atMs: elapsedMs, name: incident.name, text: incident.action });
        } else if (entry.state === "injected") {
          const line = await incident.check(this.ctx, readings);
          if (line !== undefined) {
            entry.state = "handled";
            entry.handled = line;
            entry.handledAtMs = elapsedMs;
            this.onEvent({ kind: "handled", atMs: elapsedMs, name: incident.name, text: line });
          }
        } else if (entry.state === "handled" && !entry.followedUp && incident.followUp) {
          const note = await incident.followUp(this.ctx, readings);
          if (note !== undefined) {
            entry.followedUp = true;
            this.onEvent({ kind: "note", atMs: elapsedMs, name: incident.name, text: note });
          }
        }
        entry.error = undefined;
      } catch (error) {
        const message = (error as Error).message;
        if (entry.error !== message) {
          this.onEvent({ kind: "error", atMs: elapsedMs, name: incident.name, text: message });
        }
        entry.error = message;
      }
    }
  }
}
