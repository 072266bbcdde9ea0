/**
 * The fraud example: card transactions over the first quarter of 2026, a few of them fraud.
 *
 * How the signal is built: each transaction's fraud probability is the logistic function of a
 * score made of the merchant category, the amount (large is riskier), the hour (night is
 * riskier), the location (abroad, or away from the user's home city), the device (unknown is
 * riskier), two interactions (abroad at night; a large amount in a risky category) and an
 * unobserved term no model can see. About 2% of transactions are fraud.
 *
 * Timestamps are sorted: row i sits at quantile (i + u)/rows of a day-night traffic curve, so
 * the file reads like a transaction log and streams without sorting.
 */
import { Random } from "../random.js";
import { csvChunks, drawAll, type BatchSource } from "./chunks.js";
import { clamp, code, fixed, hash32, sigmoid } from "./draw.js";

export const FRAUD_DATA_FILE = "data/transactions.csv";

export const FRAUD_COLUMNS = [
  "transaction_id",
  "user_id",
  "timestamp",
  "amount",
  "merchant_category",
  "location",
  "device",
  "is_fraud",
] as const;

export const FRAUD_CATEGORIES = [
  "grocery",
  "restaurants",
  "fuel",
  "fashion",
  "electronics",
  "travel",
  "gaming",
  "health",
  "entertainment",
  "digital_goods",
] as const;
const CATEGORY_WEIGHTS = new Float64Array([0.23, 0.15, 0.09, 0.12, 0.08, 0.06, 0.07, 0.07, 0.08, 0.05]);
const CATEGORY_MEDIAN_AMOUNT = new Float64Array([42, 32, 48, 75, 210, 320, 28, 55, 38, 15]);
const CATEGORY_RISK = new Float64Array([-1.3, -0.7, -0.4, 0.2, 1.2, 0.6, 1.5, -0.8, 0, 1.7]);
/** electronics, gaming and digital goods: resold easily, so large amounts there are the riskiest. */
const CATEGORY_RESALE = new Uint8Array([0, 0, 0, 0, 1, 0, 1, 0, 0, 1]);

export const FRAUD_CITIES = [
  "springfield",
  "riverton",
  "lakewood",
  "fairview",
  "georgetown",
  "madison",
  "clinton",
  "salem",
] as const;
/** The location of a transaction made abroad. */
export const FOREIGN = "foreign";
export const FRAUD_LOCATIONS = [...FRAUD_CITIES, FOREIGN] as const;
const FOREIGN_CODE = FRAUD_CITIES.length;
/** Cumulative shares of users living in each city (for the hash-based home city). */
const CITY_CUMULATIVE = cumulative([0.24, 0.18, 0.14, 0.12, 0.1, 0.09, 0.07, 0.06]);

export const FRAUD_DEVICES = ["mobile", "desktop", "tablet", "unknown"] as const;
/** A blank device cell. */
export const DEVICE_BLANK = 255;
const USER_DEVICE_CUMULATIVE = cumulative([0.55, 0.3, 0.15]);
const OTHER_DEVICE_WEIGHTS = new Float64Array([0.3, 0.2, 0.1, 0.4]);
const DEVICE_RISK = new Float64Array([0, -0.4, 0.2, 1.6]);

/** Relative traffic by hour of day (UTC): quiet nights, busy evenings. */
const HOUR_WEIGHTS = new Float64Array([
  0.5, 0.4, 0.35, 0.3, 0.3, 0.4, 0.6, 1.0, 1.4, 1.6, 1.7, 1.8, 2.0, 1.9, 1.8, 1.8, 1.9, 2.1, 2.2, 2.1, 1.8,
  1.4, 1.0, 0.6,
]);
const HOUR_CUMULATIVE = cumulative(HOUR_WEIGHTS);
const DAY_WEIGHT = HOUR_CUMULATIVE[24]!;
/** 2026-01-01 to 2026-03-31. */
export const FRAUD_START_MS = Date.UTC(2026, 0, 1);
export const FRAUD_DAYS = 90;
const DAY_LABELS = Array.from({ length: FRAUD_DAYS }, (_, d) =>
  new Date(FRAUD_START_MS + d * 86_400_000).toISOString().slice(0, 10),
);

const LOG_TYPICAL_AMOUNT = Math.log(60);
const INTERCEPT = -5.75;
const MAX_USERS = 999_999;

function cumulative(weights: ArrayLike<number>): Float64Array {
  const c = new Float64Array(weights.length + 1);
  for (let i = 0; i < weights.length; i++) c[i + 1] = c[i]! + weights[i]!;
  return c;
}

/** The first bucket whose cumulative upper bound exceeds `x`. */
function bucket(cum: Float64Array, x: number): number {
  let k = 0;
  while (k < cum.length - 2 && x >= cum[k + 1]!) k++;
  return k;
}

/** How many distinct users `rows` transactions come from (about 25 transactions each). */
export function fraudUserCount(rows: number): number {
  return clamp(Math.round(rows / 25), 20, MAX_USERS);
}

/** The transactions of one batch, column by column. */
export interface FraudRows {
  /** 0-based user number; the id is `U` + (user + 1). */
  readonly user: Int32Array;
  /** Day since 2026-01-01. */
  readonly day: Int32Array;
  /** Seconds since midnight UTC. */
  readonly second: Int32Array;
  readonly amount: Float64Array;
  /** Index into {@link FRAUD_CATEGORIES}. */
  readonly category: Uint8Array;
  /** Index into {@link FRAUD_LOCATIONS}. */
  readonly location: Uint8Array;
  /** Index into {@link FRAUD_DEVICES}, or {@link DEVICE_BLANK}. */
  readonly device: Uint8Array;
  readonly fraud: Uint8Array;
  /** The probability each row's label was drawn with, unobserved term included. */
  readonly p: Float64Array;
}

/** Draws transactions in time order from one seeded stream. */
export class FraudSource implements BatchSource<FraudRows> {
  private readonly rng: Random;
  private readonly rows: number;
  private readonly users: number;
  private readonly userSalt: number;
  private next = 0;

  /** `rows` is the length of the whole file: timestamps spread over the quarter whatever it is. */
  constructor(seed: number, rows: number) {
    this.rng = Random.derive(seed, "example:fraud");
    this.rows = rows;
    this.users = fraudUserCount(rows);
    this.userSalt = this.rng.nextUint32();
  }

  alloc(capacity: number): FraudRows {
    return {
      user: new Int32Array(capacity),
      day: new Int32Array(capacity),
      second: new Int32Array(capacity),
      amount: new Float64Array(capacity),
      category: new Uint8Array(capacity),
      location: new Uint8Array(capacity),
      device: new Uint8Array(capacity),
      fraud: new Uint8Array(capacity),
      p: new Float64Array(capacity),
    };
  }

  fill(out: FraudRows, count: number): void {
    const rng = this.rng;
    for (let i = 0; i < count; i++, this.next++) {
      // Stratified position on the cumulative traffic curve: increasing, with a day-night rhythm.
      const position = ((this.next + rng.next()) / this.rows) * FRAUD_DAYS * DAY_WEIGHT;
      const day = Math.min(FRAUD_DAYS - 1, Math.floor(position / DAY_WEIGHT));
      const within = position - day * DAY_WEIGHT;
      const hour = bucket(HOUR_CUMULATIVE, within);
      const second =
        hour * 3600 +
        Math.min(3599, Math.floor(((within - HOUR_CUMULATIVE[hour]!) / HOUR_WEIGHTS[hour]!) * 3600));

      // A skewed population: a few users make many transactions, most make few.
      const user = Math.min(this.users - 1, Math.floor(this.users * Math.pow(rng.next(), 1.5)));
      const userHash = hash32(user, this.userSalt);
      const home = bucket(CITY_CUMULATIVE, (userHash & 0xffff) / 65536);
      const usualDevice = bucket(USER_DEVICE_CUMULATIVE, (userHash >>> 16) / 65536);

      const category = rng.choice(CATEGORY_WEIGHTS);
      let amount = CATEGORY_MEDIAN_AMOUNT[category]! * Math.exp(rng.normal(0, 0.85));
      if (rng.bernoulli(0.0005)) amount *= 15;
      amount = Math.round(clamp(amount, 0.5, 50_000) * 100) / 100;

      const whereDraw = rng.next();
      const location =
        whereDraw < 0.86
          ? home
          : whereDraw < 0.97
            ? (home + 1 + rng.int(FRAUD_CITIES.length - 1)) % FRAUD_CITIES.length
            : FOREIGN_CODE;
      const device = rng.bernoulli(0.9) ? usualDevice : rng.choice(OTHER_DEVICE_WEIGHTS);
      const deviceBlank = rng.bernoulli(0.008);

      const night = hour < 6 ? 1 : 0;
      const foreign = location === FOREIGN_CODE ? 1 : 0;
      const away = foreign === 0 && location !== home ? 1 : 0;
      const amountZ = Math.log(amount) - LOG_TYPICAL_AMOUNT;
      const score =
        INTERCEPT +
        CATEGORY_RISK[category]! +
        0.95 * amountZ +
        2.0 * night +
        2.4 * foreign +
        0.8 * away +
        DEVICE_RISK[device]! +
        0.9 * foreign * night +
        (CATEGORY_RESALE[category] === 1 && amountZ > 1 ? 0.7 : 0) +
        rng.normal(0, 0.3);
      const p = sigmoid(score);

      out.user[i] = user;
      out.day[i] = day;
      out.second[i] = second;
      out.amount[i] = amount;
      out.category[i] = category;
      out.location[i] = location;
      out.device[i] = deviceBlank ? DEVICE_BLANK : device;
      out.p[i] = p;
      out.fraud[i] = rng.bernoulli(p) ? 1 : 0;
    }
  }

  format(rows: FraudRows, count: number, firstRow: number): string {
    let s = "";
    for (let i = 0; i < count; i++) {
      const sec = rows.second[i]!;
      const hh = Math.floor(sec / 3600);
      const mm = Math.floor(sec / 60) % 60;
      const ss = sec % 60;
      const device = rows.device[i]!;
      s +=
        `${code("T", firstRow + i + 1, 8)},${code("U", rows.user[i]! + 1, 6)},` +
        `${DAY_LABELS[rows.day[i]!]!}T${two(hh)}:${two(mm)}:${two(ss)}Z,${fixed(rows.amount[i]!, 2)},` +
        `${FRAUD_CATEGORIES[rows.category[i]!]!},${FRAUD_LOCATIONS[rows.location[i]!]!},` +
        `${device === DEVICE_BLANK ? "" : FRAUD_DEVICES[device]!},${rows.fraud[i]!}\n`;
    }
    return s;
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The CSV text of `rows` transactions, header first, in chunks. */
export function fraudCsv(rows: number, seed: number): Generator<string> {
  return csvChunks(FRAUD_COLUMNS, new FraudSource(seed, rows), rows);
}

/** The same transactions as {@link fraudCsv} writes, as columns, with each row's latent fraud probability. */
export function generateFraudRows(rows: number, seed: number): FraudRows {
  return drawAll(new FraudSource(seed, rows), rows);
}

/** Hour of day (UTC) of a row's timestamp. */
export function fraudHour(rows: FraudRows, i: number): number {
  return Math.floor(rows.second[i]! / 3600);
}
