import type { AlipayClient } from "@riskq/alipay";
import type { ScoreQueue } from "@riskq/pipeline";
import type { MerchantProfile } from "@riskq/synthetic";
import type { SandboxControl } from "@riskq/testing";
import type { Redis } from "ioredis";
import type { Readings } from "../readings";
import type { TrafficStream } from "../traffic";

/** What an incident may touch and read: the sandbox, riskq's Redis and queue, the producer. */
export interface IncidentContext {
  control: SandboxControl;
  redis: Redis;
  prefix: string;
  /**
   * A new Alipay client on the apps' prefix and secret, used only to read what riskq stored: new at
   * each use, since a client keeps its own copy of the keys for 30 s.
   */
  riskqAlipay(): AlipayClient;
  scoreQueue: ScoreQueue;
  traffic: TrafficStream;
  merchants: readonly MerchantProfile[];
  /** Jobs offered per second. */
  rate: number;
}

/**
 * One of the field report's incidents: injected into the sandbox at its point of the timeline, then
 * checked about once a second until the signals show how riskq dealt with it.
 */
export interface Incident {
  readonly name: string;
  /** Where on the timeline it happens, as a share of the duration (0–1). */
  readonly at: number;
  /** What is done to the sandbox, in words. */
  readonly action: string;
  inject(ctx: IncidentContext, readings: Readings): Promise<void>;
  /** The "handled" line once the signals show it, else undefined (checked again later). */
  check(ctx: IncidentContext, readings: Readings): Promise<string | undefined>;
  /** What the signals say so far, for an incident not (yet) confirmed. */
  progress(readings: Readings): string;
  /** After it was handled: a later development worth a line (once), e.g. a key switch. */
  followUp?(ctx: IncidentContext, readings: Readings): Promise<string | undefined>;
}

/** `12.3 s` */
export function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}

/** A ledger or metric count since the incident's baseline. */
export function since(now: number, before: number): number {
  return Math.max(0, now - before);
}
