#!/usr/bin/python3
"""The Python side of bench/gbdt.ts: XGBoost (hist) or scikit-learn's HistGradientBoosting on
the matrices and split the benchmark wrote, in a process of its own so that its peak memory is
its own. Prints one JSON line.

  gbdt_peer.py fit  DIR NAME LEARNER    fit on DIR/NAME.{X_train,y_train,X_test,y_test}.f64
  gbdt_peer.py full DIR LEARNER         read DIR/churn.csv, preprocess (pandas + scikit-learn,
                                        the churn example's features), split by DIR/split.*.i32,
                                        fit: the whole path from the CSV

LEARNER: xgboost (tree_method hist, max_depth 6, 100 trees, learning rate 0.1, max_bin 256,
2 threads) or sklearn (HistGradientBoosting, max_iter 100, max_leaf_nodes 31, no early
stopping). TASK comes from DIR/NAME.json.
"""
import json
import os
import resource
import sys
import time

import numpy as np


def make(learner, task):
    if learner == "xgboost":
        import xgboost
        cls = xgboost.XGBClassifier if task == "classification" else xgboost.XGBRegressor
        return cls(tree_method="hist", max_depth=6, n_estimators=100, learning_rate=0.1, max_bin=256, n_jobs=2)
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
    return cls(max_iter=100, max_leaf_nodes=31, learning_rate=0.1, early_stopping=False)


def score(model, task, X_te, y_te):
    if task == "classification":
        from sklearn.metrics import roc_auc_score
        return {"auc": float(roc_auc_score(y_te, model.predict_proba(X_te)[:, 1]))}
    return {"rmse": float(np.sqrt(np.mean((model.predict(X_te) - y_te) ** 2)))}


def load(d, name):
    meta = json.load(open(os.path.join(d, f"{name}.json")))
    p = len(meta["names"])
    X_tr = np.fromfile(os.path.join(d, f"{name}.X_train.f64")).reshape(p, meta["nTrain"]).T.copy()
    X_te = np.fromfile(os.path.join(d, f"{name}.X_test.f64")).reshape(p, meta["nTest"]).T.copy()
    y_tr = np.fromfile(os.path.join(d, f"{name}.y_train.f64"))
    y_te = np.fromfile(os.path.join(d, f"{name}.y_test.f64"))
    return meta["task"], X_tr, y_tr, X_te, y_te


def derive(df):
    """The churn example's derived, binary and binned features (src/data/examples/churn-project.ts)."""
    out = df.copy()
    out["charges_per_month"] = out["total_charges"] / (out["tenure_months"] + 1)
    out["log_income"] = np.log1p(out["income"])
    out["charges_to_income"] = out["monthly_charges"] * 12 / (out["income"] + 1000)
    out["is_high_value"] = (out["monthly_charges"] > 80).astype(float)
    out["is_new_customer"] = (out["tenure_months"] < 12).astype(float)
    out["new_and_expensive"] = out["is_high_value"] * out["is_new_customer"]
    out["age_group"] = np.digitize(out["age"], [30, 45, 60]).astype(float)
    return out


def churn_features():
    """Imputation, scaling, missing indicators and one-hot encoding, as the churn example's features."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    numeric = ["age", "income", "tenure_months", "monthly_charges", "total_charges", "charges_per_month",
               "log_income", "charges_to_income"]
    ct = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
        ("bin", "passthrough", ["is_high_value", "is_new_customer", "new_and_expensive", "age_group"]),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
         ["gender", "region"]),
    ], sparse_threshold=0)
    return ct


def main():
    mode = sys.argv[1]
    start = time.perf_counter()
    cpu0 = time.process_time()
    if mode == "fit":
        d, name, learner = sys.argv[2:5]
        task, X_tr, y_tr, X_te, y_te = load(d, name)
        start = time.perf_counter()
        model = make(learner, task).fit(X_tr, y_tr)
        fit_seconds = time.perf_counter() - start
        result = {"fitSeconds": fit_seconds, **score(model, task, X_te, y_te)}
    else:
        import pandas as pd
        d, learner = sys.argv[2:4]
        df = pd.read_csv(os.path.join(d, "churn.csv"))
        train = np.fromfile(os.path.join(d, "split.train.i32"), dtype=np.int32)
        test = np.fromfile(os.path.join(d, "split.test.i32"), dtype=np.int32)
        ct = churn_features()
        X_tr = ct.fit_transform(derive(df.iloc[train]))
        X_te = ct.transform(derive(df.iloc[test]))
        y = df["churn"].to_numpy()
        model = make(learner, "classification").fit(X_tr, y[train])
        result = {"seconds": time.perf_counter() - start, "features": int(X_tr.shape[1]),
                  **score(model, "classification", X_te, y[test])}
    result["cpuSeconds"] = time.process_time() - cpu0
    result["maxRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


main()
