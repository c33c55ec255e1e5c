import { withoutControlCharacters } from "@riskq/contracts";
import { alertKindInfo } from "./alert-kinds";
import type { AlertNotification } from "./alert-notification";
import { scrubSecrets } from "./scrub-secrets";

/** A Slack incoming-webhook body: `text` for notifications and plain clients, `blocks` for the rest. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

type SlackBlock = Record<string, unknown> & { type: string };

/** Bull Board's page of a queue (the dashboard mounts Bull Board at /admin/queues). */
export function boardLink(dashboardUrl: string, queue?: string): string {
  const base = `${dashboardUrl.replace(/\/+$/, "")}/admin/queues`;
  return queue ? `${base}/queue/${encodeURIComponent(queue)}` : base;
}

const STATUS_WORD = { firing: "FIRING", update: "UPDATE", repeat: "STILL FIRING" } as const;

/**
 * Renders a notification as a Slack-compatible message: headline, counts, reason, sample job ids,
 * the last error and a link into Bull Board (the dead-letter queue for dead letters). Text fields
 * are scrubbed again here, and every field is put on one line: an event published by an older
 * producer may not have been, and the lines of `text` are the message's structure.
 */
export function slackMessage(raw: AlertNotification, dashboardUrl: string): SlackMessage {
  const n = oneLineFields(raw);
  const info = alertKindInfo(n.kind);
  const link = boardLink(dashboardUrl, n.kind === "dead_letter" ? (n.subject ?? "score-dead") : undefined);
  const about = n.kind === "dead_letter" ? [n.reason, n.subject && `in ${n.subject}`] : [n.subject, n.reason];
  const title = [info.title, about.filter(Boolean).join(" ")].filter(Boolean).join(": ");
  const counted = `${n.count} ${plural(info.noun, n.count)}`;
  const news = n.status === "repeat" ? "nothing new since the last notice" : `${n.new} new`;
  const message = scrubSecrets(n.message);
  const lastError = n.last_error && scrubSecrets(n.last_error);

  const text = [
    `[riskq] ${STATUS_WORD[n.status]} ${title} — ${counted} (${news})`,
    message,
    lastError && `last error: ${lastError}`,
    n.samples.length > 0 && `sample jobs: ${n.samples.join(", ")}`,
    link,
  ]
    .filter(Boolean)
    .join("\n");

  const fields = [
    ["Count", `${counted} (${news})`],
    ["Reason", n.reason],
    ["Subject", n.subject],
    ["First seen", iso(n.first_seen)],
    ["Last seen", iso(n.last_seen)],
  ]
    .filter((f): f is [string, string] => Boolean(f[1]))
    .map(([label, value]) => mrkdwn(`*${label}*\n${escapeMrkdwn(value)}`));

  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: cut(`${STATUS_WORD[n.status]} · ${title}`, 150) } },
    { type: "section", text: mrkdwn(cut(escapeMrkdwn(message), 2_900)), fields },
  ];
  if (lastError)
    blocks.push({
      type: "section",
      text: mrkdwn(`*Last error*\n\`\`\`${cut(escapeMrkdwn(lastError), 2_800)}\`\`\``),
    });
  if (n.samples.length > 0)
    blocks.push({
      type: "section",
      text: mrkdwn(`*Sample job ids*\n${n.samples.map((id) => `\`${escapeMrkdwn(id)}\``).join(", ")}`),
    });
  blocks.push({
    type: "actions",
    elements: [{ type: "button", text: { type: "plain_text", text: "Open in Bull Board" }, url: link }],
  });
  blocks.push({
    type: "context",
    elements: [mrkdwn(`<${link}|${escapeMrkdwn(link)}> · notice ${escapeMrkdwn(n.id)}`)],
  });
  return { text, blocks };
}

/** The notification with control characters out of every caller-influenced string. */
function oneLineFields(n: AlertNotification): AlertNotification {
  const line = withoutControlCharacters;
  return {
    ...n,
    message: line(n.message),
    samples: n.samples.map(line),
    ...(n.subject === undefined ? {} : { subject: line(n.subject) }),
    ...(n.reason === undefined ? {} : { reason: line(n.reason) }),
    ...(n.last_error === undefined ? {} : { last_error: line(n.last_error) }),
  };
}

const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const iso = (ms: number) => new Date(ms).toISOString();
const plural = (noun: string, n: number) => (n === 1 ? noun : `${noun}s`);
const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
/** Slack's mrkdwn control characters. */
const escapeMrkdwn = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
