const DAY_MS = 86_400_000;

export interface ModelSnapshot {
  version: string;
  releasedAt: number;
  retiresAt: number;
}

/**
 * The model snapshots of docs/alipay-ai-api.md §6.3, placed relative to the virtual clock at start/reset (t0).
 * A retired snapshot keeps answering 200 with a flatline; the catalog only says which is which.
 */
export class ModelCatalog {
  private models: ModelSnapshot[] = [];

  constructor(t0: number) {
    this.place(t0);
  }

  place(t0: number): void {
    this.models = [
      { version: "risk-v3-2026-09", releasedAt: t0 - 70 * DAY_MS, retiresAt: t0 - 10 * DAY_MS },
      { version: "risk-v3-2026-10", releasedAt: t0 - 40 * DAY_MS, retiresAt: t0 + 20 * DAY_MS },
      { version: "risk-v3-2026-11", releasedAt: t0 - 10 * DAY_MS, retiresAt: t0 + 50 * DAY_MS },
    ];
  }

  find(version: string): ModelSnapshot | undefined {
    return this.models.find((m) => m.version === version);
  }

  /** The most recently released snapshot: what an unpinned call gets. */
  latest(now: number): ModelSnapshot {
    const released = this.models.filter((m) => m.releasedAt <= now);
    return released.reduce((a, b) => (b.releasedAt > a.releasedAt ? b : a));
  }

  retire(version: string, now: number): ModelSnapshot | undefined {
    const model = this.find(version);
    if (model) model.retiresAt = Math.min(model.retiresAt, now);
    return model;
  }

  list(now: number) {
    return this.models.map((m) => ({
      version: m.version,
      released_at: new Date(m.releasedAt).toISOString(),
      retires_at: new Date(m.retiresAt).toISOString(),
      retired: m.retiresAt <= now,
    }));
  }
}
