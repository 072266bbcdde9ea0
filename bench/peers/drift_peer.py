#!/usr/bin/python3
"""The Python side of bench/drift.ts: per-feature drift as Evidently 0.4 computes it (its default
test choice, `get_binned_data`, and the SciPy calls of its stattests), on the data the benchmark
wrote. Evidently itself is not installed; its steps are restated here with pandas, NumPy and
SciPy, the libraries it runs on. Prints one JSON line.

  drift_peer.py DIR     DIR/manifest.json, DIR/<feature>.{reference,current}.{f64,i32}
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

warnings.filterwarnings("ignore")


def binned(ref, cur, numeric, feel_zeroes):
    if numeric and ref.nunique() > 20:
        bins = np.histogram_bin_edges(pd.concat([ref, cur], axis=0).values, bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.dropna().unique()) | set(cur.dropna().unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        r = np.array([rd[k] / len(ref) for k in keys])
        c = np.array([cd[k] / len(cur) for k in keys])
    if feel_zeroes:
        for a in (r, c):
            m = min(a[a != 0])
            np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def default_test(ref, cur, numeric):
    n_values = pd.concat([ref, cur]).nunique()
    if ref.shape[0] <= 1000:
        if numeric:
            return ("chisquare" if n_values > 2 else "z") if n_values <= 5 else "ks"
        return "chisquare" if n_values > 2 else "z"
    if numeric:
        return "jensenshannon" if n_values <= 5 else "wasserstein"
    return "jensenshannon"


def run(method, ref, cur, numeric):
    if method == "ks":
        return stats.ks_2samp(ref, cur)[1]
    if method == "wasserstein":
        return stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    if method == "jensenshannon":
        r, c = binned(ref, cur, numeric, False)
        return distance.jensenshannon(r, c)
    if method == "psi":
        r, c = binned(ref, cur, numeric, True)
        return float(np.sum((r - c) * np.log(r / c)))
    if method == "chisquare":
        keys = list(set(ref.dropna().unique()) | set(cur.dropna().unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        k = cur.shape[0] / ref.shape[0]
        return stats.chisquare([cd[x] for x in keys], [rd[x] * k for x in keys])[1]
    if method == "z":
        if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
            return 1.0
        key = min(set(ref.unique()) | set(cur.unique()))
        r = (ref != key).astype(int)
        c = (cur != key).astype(int)
        n1, n2 = len(r), len(c)
        p1, p2 = float(r.sum()) / n1, float(c.sum()) / n2
        P = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
        return 2 * (1 - stats.norm.cdf(np.abs(z)))
    if method == "hellinger":
        keys = list(set(ref.unique()) | set(cur.unique()))
        if not numeric:
            rs = (ref.value_counts() / len(ref)).to_dict()
            cs = (cur.value_counts() / len(cur)).to_dict()
            h = sum(np.sqrt(rs.get(k, 0) * cs.get(k, 0)) for k in keys)
        else:
            bins = np.histogram_bin_edges(keys, bins="sturges")
            h1 = np.histogram(ref.to_numpy(), bins=bins, density=True)[0]
            h2 = np.histogram(cur.to_numpy(), bins=bins, density=True)[0]
            width = (max(bins) - min(bins)) / (len(bins) - 1)
            h = sum(np.sqrt(h1[i] * h2[i]) * width for i in range(len(h1)))
        return float(np.sqrt(1 - np.clip(h, 0, 1)))
    raise ValueError(method)


def load(directory, feature, side, kind):
    if kind == "numeric":
        v = np.fromfile(os.path.join(directory, f"{feature}.{side}.f64"), dtype=np.float64)
        return pd.Series(v)
    codes = np.fromfile(os.path.join(directory, f"{feature}.{side}.i32"), dtype=np.int32)
    return pd.Series(np.where(codes >= 0, codes, np.nan))


def clean(series):
    # Evidently's data-drift calculation drops NaN and +-inf before testing.
    return series.replace([-np.inf, np.inf], np.nan).dropna()


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    data = {
        feat["name"]: (load(directory, feat["name"], "reference", feat["kind"]), load(directory, feat["name"], "current", feat["kind"]), feat["kind"] == "numeric")
        for feat in manifest["features"]
    }
    totals, per = [], {}
    for _ in range(manifest["repeats"]):
        t_all = time.perf_counter()
        for name, (ref_raw, cur_raw, numeric) in data.items():
            t = time.perf_counter()
            ref, cur = clean(ref_raw), clean(cur_raw)
            method = default_test(ref, cur, numeric)
            score = float(run(method, ref, cur, numeric))
            per.setdefault(name, []).append((time.perf_counter() - t, method, score))
        totals.append(time.perf_counter() - t_all)
    features = []
    for name, runs in per.items():
        secs = sorted(r[0] for r in runs)
        features.append({"name": name, "method": runs[0][1], "score": runs[0][2], "seconds": secs[len(secs) // 2]})
    by_name = []
    for name in manifest["by_name"]:
        ref_raw, cur_raw, numeric = data[name]
        ref, cur = clean(ref_raw), clean(cur_raw)
        methods = ["ks", "wasserstein", "jensenshannon", "psi", "hellinger", "chisquare", "z"] if numeric else ["chisquare", "z", "jensenshannon", "psi", "hellinger"]
        for m in methods:
            times = []
            for _ in range(manifest["repeats"]):
                t = time.perf_counter()
                score = float(run(m, ref, cur, numeric))
                times.append(time.perf_counter() - t)
            by_name.append({"feature": name, "method": m, "score": score, "seconds": sorted(times)[len(times) // 2]})
    print(json.dumps({"total_s": sorted(totals)[len(totals) // 2], "features": features, "by_name": by_name}))


main()
