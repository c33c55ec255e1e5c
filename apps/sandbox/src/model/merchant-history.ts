/**
 * What the model remembers about one merchant: its usual amounts, the cards it has seen and
 * where its buyers come from. It learns these from the items it scores, because the real
 * service knows nothing about the merchant beyond its traffic.
 */

/** Per-card memory is capped so a merchant flooded with fresh cards cannot grow without bound. */
const MAX_TRACKED_CARDS = 2_048;
const MAX_TRACKED_COUNTRIES = 32;
/** Card velocity decays with this time constant: tries minutes apart count, days apart do not. */
const VELOCITY_TAU_MS = 10 * 60_000;
/** Prior on log(amount): a ~150-unit ticket, wide spread, worth a few observations. */
const PRIOR_LOG_AMOUNT = Math.log(150);
const PRIOR_LOG_VARIANCE = 1.5 ** 2;
const PRIOR_WEIGHT = 3;
/** Long-run EWMA rate, so the usual amount follows drift without being swayed by one item. */
const MIN_AMOUNT_RATE = 0.01;
const MIN_AMOUNT_SD = 0.25;
/** EWMA rate of the share of first-seen cards. */
const NEW_CARD_RATE = 0.02;

interface CardMemory {
  lastSeenMs: number;
  /** Exponentially decayed count of earlier uses, as of lastSeenMs. */
  recent: number;
}

/** A card's standing at a merchant just before the current item. */
export interface CardStanding {
  known: boolean;
  /** Decayed count of earlier uses within the last several minutes. */
  velocity: number;
}

export class MerchantHistory {
  /** Scoring calls for this merchant since the last reset (seeds the noise). */
  calls = 0;
  /** Items observed. */
  seen = 0;
  private logAmountMean = PRIOR_LOG_AMOUNT;
  private logAmountVariance = PRIOR_LOG_VARIANCE;
  private readonly cards = new Map<string, CardMemory>();
  private readonly countries = new Map<string, number>();
  private usualCountry: string | undefined;
  /** Share of recent items on a card this merchant had not seen: near 1 while it is still warming up. */
  private newCardShare = 1;

  /**
   * How surprising a first-seen card is here, in [0, 1]. While a merchant's history is young
   * nearly every card is new, so "new" says little; once regulars dominate it says a lot.
   */
  newCardSurprise(): number {
    return 1 - this.newCardShare;
  }

  /** How many standard deviations log(amount) lies from this merchant's usual. */
  amountZ(logAmount: number): number {
    const sd = Math.max(MIN_AMOUNT_SD, Math.sqrt(this.logAmountVariance));
    return (logAmount - this.logAmountMean) / sd;
  }

  card(fingerprint: string, atMs: number): CardStanding {
    const memory = this.cards.get(fingerprint);
    if (!memory) return { known: false, velocity: 0 };
    const elapsed = Math.max(0, atMs - memory.lastSeenMs);
    return { known: true, velocity: memory.recent * Math.exp(-elapsed / VELOCITY_TAU_MS) };
  }

  /** The merchant's most common buyer country, once it has seen enough to say. */
  homeCountry(): string | undefined {
    return this.seen >= 5 ? this.usualCountry : undefined;
  }

  /** Records an item after it has been scored. */
  observe(
    logAmount: number,
    fingerprint: string | undefined,
    country: string | undefined,
    atMs: number,
  ): void {
    this.seen += 1;
    const rate = Math.max(MIN_AMOUNT_RATE, 1 / (this.seen + PRIOR_WEIGHT));
    const sd = Math.sqrt(this.logAmountVariance);
    // Clamp the step so a single fraudulent jackpot does not redefine "usual".
    const deviation = Math.max(-3 * sd, Math.min(3 * sd, logAmount - this.logAmountMean));
    this.logAmountMean += rate * deviation;
    this.logAmountVariance += rate * (deviation * deviation - this.logAmountVariance);

    if (fingerprint !== undefined) this.observeCard(fingerprint, atMs);
    if (country !== undefined) this.observeCountry(country);
  }

  private observeCard(fingerprint: string, atMs: number): void {
    const previous = this.cards.get(fingerprint);
    this.newCardShare += NEW_CARD_RATE * ((previous ? 0 : 1) - this.newCardShare);
    const velocity = this.card(fingerprint, atMs).velocity;
    // Delete then set keeps Map order = least recently used first, for eviction.
    this.cards.delete(fingerprint);
    // Items may arrive slightly out of order; time never runs backwards for a card.
    const lastSeenMs = Math.max(atMs, previous?.lastSeenMs ?? atMs);
    this.cards.set(fingerprint, { lastSeenMs, recent: velocity + 1 });
    if (this.cards.size > MAX_TRACKED_CARDS) {
      const oldest = this.cards.keys().next();
      if (!oldest.done) this.cards.delete(oldest.value);
    }
  }

  private observeCountry(country: string): void {
    const count = (this.countries.get(country) ?? 0) + 1;
    if (count === 1 && this.countries.size >= MAX_TRACKED_COUNTRIES) return; // rare countries stay untracked
    this.countries.set(country, count);
    const usual = this.usualCountry === undefined ? 0 : (this.countries.get(this.usualCountry) ?? 0);
    if (count > usual) this.usualCountry = country;
  }
}
