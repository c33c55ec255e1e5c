/** The badge in the board's header (Bull Board's `uiConfig.environment`). */
export interface EnvironmentBadge {
  label: string;
  color: string;
  textColor: string;
}

// Red for production, so a destructive click there is never mistaken for one on a test board.
const COLORS: Readonly<Record<string, string>> = {
  production: "#b91c1c",
  test: "#b45309",
  development: "#15803d",
};

/** The badge for `NODE_ENV`, labelled `label` when given (DASHBOARD_ENV_LABEL), else NODE_ENV. */
export function environmentBadge(nodeEnv: string, label?: string): EnvironmentBadge {
  return { label: label ?? nodeEnv, color: COLORS[nodeEnv] ?? "#475569", textColor: "#ffffff" };
}
