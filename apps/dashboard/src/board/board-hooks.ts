import type { BeforeHookResult, BoardHooks, HookContext } from "@bull-board/api/typings/app";
import type { BoardAction, BoardQueue } from "./board-queues";
import { redactForBoard } from "./redact-for-board";

/**
 * Bull Board's write routes riskq lets through, by `<method> <route>`. A route missing here — every
 * other change, and any route a newer Bull Board adds — is refused until someone decides otherwise.
 * (Bull Board itself does not check `allowRetries` on the server: the hooks do.)
 */
const ACTION_OF_ROUTE: Readonly<Record<string, BoardAction>> = {
  "put /api/queues/pause": "pause",
  "put /api/queues/resume": "pause",
  "put /api/queues/:queueName/pause": "pause",
  "put /api/queues/:queueName/resume": "pause",
  "put /api/queues/:queueName/promote": "promote",
  "put /api/queues/:queueName/:jobId/promote": "promote",
  "put /api/queues/:queueName/retry/:queueStatus": "retry",
  "put /api/queues/:queueName/:jobId/retry": "retry",
  "put /api/queues/:queueName/job-schedulers/:schedulerId/run": "run-scheduler",
};

/**
 * The board's handler hooks: `before` enforces each queue's allowed actions (403 with the reason);
 * `after` redacts what the formatters do not reach — the job data templates of job schedulers.
 * Read-only queues are left to Bull Board, which refuses their changes with 405.
 */
export function boardHooks(queues: readonly BoardQueue[]): BoardHooks {
  const byName = new Map(queues.map((entry) => [entry.queue.name, entry]));
  const writable = queues.filter((entry) => !entry.readOnly);

  const before = ({ method, route, request }: HookContext): BeforeHookResult => {
    if (method === "get") return undefined;
    const action = ACTION_OF_ROUTE[`${method} ${route}`];
    const queueName: unknown = request.params.queueName;
    if (typeof queueName === "string") {
      const entry = byName.get(queueName);
      if (entry?.readOnly) return undefined;
      if (entry && action !== undefined && entry.actions.includes(action)) return undefined;
      return refuse(`not allowed on ${queueName} from the dashboard`);
    }
    // Board-wide actions (pause/resume all) touch every writable queue: each must allow them.
    if (action !== undefined && writable.every((entry) => entry.actions.includes(action))) return undefined;
    return refuse("not allowed from the dashboard");
  };

  const after: NonNullable<BoardHooks["after"]> = (context, result) =>
    context.route === "/api/job-schedulers"
      ? { ...result, body: redactSchedulers(result.body) as typeof result.body }
      : result;

  return { before, after };
}

function refuse(why: string): BeforeHookResult {
  return {
    allow: false,
    status: 403,
    message: `${why}: this board pauses and resumes queues, promotes score jobs, and retries or runs maintenance jobs; redrive dead letters with the API or CLI`,
  };
}

/** `{ schedulers: [{ template: { data } }] }` with each template's data redacted. */
function redactSchedulers(body: unknown): unknown {
  if (body === null || typeof body !== "object" || !("schedulers" in body) || !Array.isArray(body.schedulers))
    return body;
  return {
    ...body,
    schedulers: body.schedulers.map((scheduler: Record<string, unknown>) => {
      const template = scheduler.template as Record<string, unknown> | undefined;
      return template
        ? { ...scheduler, template: { ...template, data: redactForBoard(template.data) } }
        : scheduler;
    }),
  };
}
