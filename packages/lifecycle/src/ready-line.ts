/**
 * Writes an app's ready line: one JSON object on a line of its own on stdout. Supervisors, launchers
 * and tests wait for it (each app keeps its own `event` and fields), so nothing else may share the line.
 */
export function announceReady(
  line: { event: string } & Record<string, unknown>,
  out: { write(text: string): unknown } = process.stdout,
): void {
  out.write(`${JSON.stringify(line)}\n`);
}
