import { withoutControlCharacters } from "@riskq/contracts";
import { describe, expect, it } from "vitest";
import type { AlertNotification } from "../src/alert-notification";
import { scrubSecrets, slackMessage, toAlertEvent } from "../src/index";

// What a caller controls can reach an alert (an error quoting a model_version, an item id): a line
// break there must not forge a line of the message, and a card number however grouped must go.
const FORGED = "risk-v3-2026-11\n[riskq] FIRING Everything is fine — 0 alerts\r\u2028\u202eevil";

function notification(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return {
    id: "n-1",
    kind: "dead_letter",
    group: "score-dead/model_retired",
    status: "firing",
    count: 1,
    new: 1,
    events: 1,
    samples: ["2088000000000001-a\nb"],
    subject: "score-dead",
    reason: "model_retired",
    message: `job died: Alipay does not know model_version ${FORGED}`,
    last_error: `model_unknown: ${FORGED}`,
    first_seen: 1_764_000_000_000,
    last_seen: 1_764_000_000_000,
    notified_at: 1_764_000_000_000,
    ...overrides,
  };
}

describe("withoutControlCharacters", () => {
  it("replaces each run of C0/C1 controls, DEL, line separators and bidi overrides with one space", () => {
    expect(withoutControlCharacters("a\nb\r\n\tc\u0000d\u007fe\u0085f\u2028g\u202eh\u2066i")).toBe(
      "a b c d e f g h i",
    );
    expect(withoutControlCharacters("plain text, ünïcode 风险")).toBe("plain text, ünïcode 风险");
    // Stateless: the same answer on every call (a global regex's lastIndex must not leak).
    expect(withoutControlCharacters("x\ny")).toBe("x y");
    expect(withoutControlCharacters("x\ny")).toBe("x y");
  });
});

describe("alert texts carry caller data on one line", () => {
  it("a newline in the message, error, subject or a sample id forges no line of the Slack text", () => {
    const { text, blocks } = slackMessage(
      notification({ subject: "score-dead\nFIRING fake" }),
      "http://127.0.0.1:3001",
    );
    const lines = text.split("\n");
    // headline, message, last error, samples, link: the renderer's own five lines, no more.
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\[riskq\] FIRING /);
    expect(lines.filter((l) => l.startsWith("[riskq]"))).toHaveLength(1);
    expect(text).not.toMatch(/[\r\u2028\u202e]/);
    expect(JSON.stringify(blocks)).not.toMatch(/\\r|\\u2028|\\u202e/);
    expect(lines[1]).toContain("risk-v3-2026-11 [riskq] FIRING Everything is fine");
  });

  it("events are stored on one line already when published", () => {
    const event = toAlertEvent(
      {
        kind: "dead_letter",
        subject: "score-dead",
        reason: "model_retired",
        job_id: "2088000000000001-a\nb",
        message: FORGED,
        error: FORGED,
      },
      1_764_000_000_000,
    );
    for (const value of [event.message, event.error, event.job_id])
      expect(value).not.toMatch(/[\n\r\u2028\u202e]/);
  });

  it("removes card numbers however grouped, as the API guard finds them", () => {
    for (const card of [
      "4111.1111.1111.1111",
      "4111/1111/1111/1111",
      "4111_1111_1111_1111",
      "4111  1111  1111  1111",
      "４１１１１１１１１１１１１１１１",
    ]) {
      expect(scrubSecrets(`card ${card} refused`)).toBe("card [card number removed] refused");
    }
    expect(scrubSecrets("merchant 2088000000000001 at 2026-11-20T10:00:00Z")).toBe(
      "merchant 2088000000000001 at 2026-11-20T10:00:00Z",
    );
  });
});
