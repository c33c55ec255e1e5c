/** What the sandbox has billed and answered since the last reset (docs/alipay-ai-api.md §10, GET ledger). */
export class Ledger {
  calls = 0;
  items = 0;
  flagged = 0;
  costUnits = 0;
  byStatus: Record<string, number> = {};
  byCode: Record<string, number> = {};
  silentDrops = 0;
  truncations = 0;
  tokenGrants = 0;
  tokenRefreshes = 0;
  revocations = 0;

  recordResponse(status: number, code: string | undefined): void {
    this.calls += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (code) this.byCode[code] = (this.byCode[code] ?? 0) + 1;
  }

  recordBilling(items: number, flagged: number, units: number): void {
    this.items += items;
    this.flagged += flagged;
    this.costUnits += units;
  }

  toJSON() {
    return {
      calls: this.calls,
      items: this.items,
      flagged: this.flagged,
      cost_usd: this.costUnits / 10_000,
      by_status: this.byStatus,
      by_code: this.byCode,
      silent_drops: this.silentDrops,
      truncations: this.truncations,
      token_grants: this.tokenGrants,
      token_refreshes: this.tokenRefreshes,
      revocations: this.revocations,
    };
  }
}
