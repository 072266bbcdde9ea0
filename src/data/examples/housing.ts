/**
 * The housing example: house sales in one city, and their prices (a regression).
 *
 * How the signal is built: the log of the price is a sum of the log of the floor area, a
 * premium per neighbourhood, the condition, the age, the distance to the centre, the garage and
 * the lot, plus normal noise; so the price is a product of those factors times a log-normal
 * error, and a model explains most but not all of its variance. A few sales are outliers
 * (sales within a family far below value, or trophy houses far above).
 */
import { Random } from "../random.js";
import { csvChunks, drawAll, type BatchSource } from "./chunks.js";
import { clamp, code, fixed, integer, truncatedNormal } from "./draw.js";

export const HOUSING_DATA_FILE = "data/houses.csv";

export const HOUSING_COLUMNS = [
  "house_id",
  "square_feet",
  "bedrooms",
  "bathrooms",
  "year_built",
  "lot_size",
  "neighborhood",
  "condition",
  "garage",
  "distance_to_center_km",
  "price",
] as const;

export const HOUSING_NEIGHBORHOODS = [
  "downtown",
  "midtown",
  "old_town",
  "riverside",
  "hillcrest",
  "lakeside",
  "northgate",
  "southfield",
] as const;
const NB_WEIGHTS = new Float64Array([0.09, 0.13, 0.09, 0.12, 0.12, 0.1, 0.18, 0.17]);
/** Log price premium of each neighbourhood over the city as a whole. */
const NB_PREMIUM = new Float64Array([0.35, 0.2, 0.15, 0.3, 0.45, 0.55, -0.1, -0.25]);
const NB_DISTANCE_MIN = new Float64Array([0.2, 1.5, 0.8, 3, 5, 8, 10, 12]);
const NB_DISTANCE_MAX = new Float64Array([2.5, 5, 4, 8, 12, 18, 25, 35]);
const NB_BUILT_MIN = new Float64Array([1955, 1920, 1890, 1950, 1970, 1960, 1980, 1985]);
const NB_BUILT_MAX = new Float64Array([2025, 2010, 1950, 2025, 2025, 2025, 2025, 2025]);
const NB_MEDIAN_SQFT = new Float64Array([1100, 1500, 1700, 1800, 2200, 2400, 1900, 1800]);
const NB_MEDIAN_LOT = new Float64Array([1200, 3000, 4000, 6000, 9000, 12000, 7000, 7500]);
/** Share of sales without a recorded lot size: condos downtown mostly have none. */
const NB_LOT_BLANK = new Float64Array([0.6, 0.1, 0.05, 0.04, 0.03, 0.03, 0.04, 0.04]);
const NB_GARAGE_MEAN = new Float64Array([0.3, 0.8, 0.7, 1.3, 1.8, 2.0, 1.7, 1.6]);

export const HOUSING_CONDITIONS = ["poor", "fair", "good", "very_good", "excellent"] as const;
const CONDITION_EFFECT = new Float64Array([-0.28, -0.12, 0, 0.08, 0.16]);

/** The year the data describes; the age of a house is measured from it. */
export const HOUSING_YEAR = 2026;
const BASE_PRICE = 330_000;
const NOISE_SD = 0.18;
const MIN_PRICE = 15_000;

/** The sales of one batch, column by column. NaN marks a blank cell. */
export interface HousingRows {
  readonly sqft: Float64Array;
  readonly bedrooms: Float64Array;
  readonly bathrooms: Float64Array;
  readonly yearBuilt: Float64Array;
  readonly lotSize: Float64Array;
  /** Index into {@link HOUSING_NEIGHBORHOODS}. */
  readonly neighborhood: Uint8Array;
  /** Index into {@link HOUSING_CONDITIONS}. */
  readonly condition: Uint8Array;
  readonly garage: Float64Array;
  readonly distance: Float64Array;
  readonly price: Float64Array;
  /** The price without noise or outliers: what the columns (and the unrecorded lots) determine. */
  readonly expectedPrice: Float64Array;
}

/** Draws house sales in a fixed order from one seeded stream. */
export class HousingSource implements BatchSource<HousingRows> {
  private readonly rng: Random;

  constructor(seed: number) {
    this.rng = Random.derive(seed, "example:housing");
  }

  alloc(capacity: number): HousingRows {
    return {
      sqft: new Float64Array(capacity),
      bedrooms: new Float64Array(capacity),
      bathrooms: new Float64Array(capacity),
      yearBuilt: new Float64Array(capacity),
      lotSize: new Float64Array(capacity),
      neighborhood: new Uint8Array(capacity),
      condition: new Uint8Array(capacity),
      garage: new Float64Array(capacity),
      distance: new Float64Array(capacity),
      price: new Float64Array(capacity),
      expectedPrice: new Float64Array(capacity),
    };
  }

  fill(out: HousingRows, count: number): void {
    const rng = this.rng;
    for (let i = 0; i < count; i++) {
      const nb = rng.choice(NB_WEIGHTS);
      let sqft = NB_MEDIAN_SQFT[nb]! * Math.exp(truncatedNormal(rng, 0, 0.35, -1.2, 1.4));
      // A few estates far larger than the rest of the street.
      if (rng.bernoulli(0.001)) sqft *= 2.5 + rng.next();
      sqft = Math.round(clamp(sqft, 350, 20_000));
      const bedrooms = clamp(Math.round(sqft / 550 + rng.normal(0, 0.6)), 1, 8);
      const bathrooms = clamp(Math.round(2 * (0.6 * bedrooms + rng.normal(0.3, 0.4))) / 2, 1, 6);
      const yearBuilt = NB_BUILT_MIN[nb]! + rng.int(NB_BUILT_MAX[nb]! - NB_BUILT_MIN[nb]! + 1);
      const age = HOUSING_YEAR - yearBuilt;
      const lot = Math.round(NB_MEDIAN_LOT[nb]! * Math.exp(truncatedNormal(rng, 0, 0.5, -1.5, 1.5)));
      const lotBlank = rng.bernoulli(NB_LOT_BLANK[nb]!);
      // Newer houses are in better shape, but owners renovate: a noisy ordinal score.
      const conditionScore = rng.normal(0, 1) - 0.015 * (age - 40);
      const condition =
        conditionScore < -1.6
          ? 0
          : conditionScore < -0.6
            ? 1
            : conditionScore < 0.5
              ? 2
              : conditionScore < 1.4
                ? 3
                : 4;
      const garage = clamp(Math.round(NB_GARAGE_MEAN[nb]! + rng.normal(0, 0.7)), 0, 3);
      const distance = Math.round(rng.uniform(NB_DISTANCE_MIN[nb]!, NB_DISTANCE_MAX[nb]!) * 100) / 100;

      const logExpected =
        Math.log(BASE_PRICE) +
        0.8 * Math.log(sqft / 1700) +
        NB_PREMIUM[nb]! +
        CONDITION_EFFECT[condition]! -
        0.0025 * Math.min(age, 100) -
        0.012 * distance +
        0.04 * garage +
        0.06 * Math.log(lot / 5000) +
        0.04 * (bathrooms - 0.6 * bedrooms);
      let price = Math.exp(logExpected + rng.normal(0, NOISE_SD));
      const outlier = rng.next();
      if (outlier < 0.0015) price *= rng.uniform(0.3, 0.55);
      else if (outlier < 0.0025) price *= rng.uniform(1.8, 2.6);
      // The floor keeps every price inside the schema's range, however unlucky the draws.
      price = Math.round(Math.max(price, MIN_PRICE) / 100) * 100;

      out.sqft[i] = sqft;
      out.bedrooms[i] = bedrooms;
      out.bathrooms[i] = bathrooms;
      out.yearBuilt[i] = yearBuilt;
      out.lotSize[i] = lotBlank ? NaN : lot;
      out.neighborhood[i] = nb;
      out.condition[i] = condition;
      out.garage[i] = garage;
      out.distance[i] = distance;
      out.price[i] = price;
      out.expectedPrice[i] = Math.exp(logExpected);
    }
  }

  format(rows: HousingRows, count: number, firstRow: number): string {
    let s = "";
    for (let i = 0; i < count; i++) {
      s +=
        `${code("H", firstRow + i + 1, 6)},${integer(rows.sqft[i]!)},${integer(rows.bedrooms[i]!)},` +
        `${fixed(rows.bathrooms[i]!, 1)},${integer(rows.yearBuilt[i]!)},${integer(rows.lotSize[i]!)},` +
        `${HOUSING_NEIGHBORHOODS[rows.neighborhood[i]!]!},${HOUSING_CONDITIONS[rows.condition[i]!]!},` +
        `${integer(rows.garage[i]!)},${fixed(rows.distance[i]!, 2)},${integer(rows.price[i]!)}\n`;
    }
    return s;
  }
}

/** The CSV text of `rows` house sales, header first, in chunks. */
export function housingCsv(rows: number, seed: number): Generator<string> {
  return csvChunks(HOUSING_COLUMNS, new HousingSource(seed), rows);
}

/** The same sales as {@link housingCsv} writes, as columns, with each sale's expected price. */
export function generateHousingRows(rows: number, seed: number): HousingRows {
  return drawAll(new HousingSource(seed), rows);
}
