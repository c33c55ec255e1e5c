import { QUEUES } from "@riskq/contracts";
import { QueueEvents } from "bullmq";
import { describe, expect, it } from "vitest";
import { runScheduler } from "../src/run-scheduler";
import { declaredSchedules, MAINTENANCE_JOBS } from "../src/schedules";
import { testLogger, useSchedulerKit } from "./support/scheduler-harness";

const suite = useSchedulerKit();

describe("runScheduler", () => {
  it("runs maintenance jobs in-process; a key-rotation run plans its next run as one delayed job at the planned instant", async () => {
    const { kit } = suite;
    const alipay = kit.client();
    const running = await runScheduler({
      connection: kit.connection,
      prefix: kit.prefix,
      alipay,
      logger: testLogger,
      schedules: declaredSchedules(),
      now: kit.now,
    });
    const events = new QueueEvents(QUEUES.maintenance, { connection: kit.connection, prefix: kit.prefix });
    try {
      await events.waitUntilReady();
      const job = await running.queue.add(MAINTENANCE_JOBS.keyRotation, {});
      const result = (await job.waitUntilFinished(events, 30_000)) as {
        nextCheckAt: number;
        keyId: string;
        next: string;
      };

      expect((await alipay.currentKey()).keyId).toBe(result.keyId);
      expect(result.next).toBe(`key-rotation-at-${result.nextCheckAt}`);
      const planned = (await running.queue.getDelayed()).filter(
        (j) => j.name === MAINTENANCE_JOBS.keyRotationAt,
      );
      expect(planned.map((j) => j.id)).toEqual([result.next]);
      expect(planned[0]!.data).toEqual({ plannedFor: result.nextCheckAt });
    } finally {
      await events.close();
      await running.close();
    }
  });
});
