#!/usr/bin/python3
"""Fit reference scikit-learn models on the generated example data and print test scores.

This is how we know each example's signal lands where its README says a good model lands
(churn ROC AUC about 0.80-0.90, fraud 0.85-0.95, housing R^2 0.80-0.90).

Usage: python3 scripts/check-examples.py DIR
  where DIR holds example projects written by `sluice example <name> DIR/<name>`
  (any subset of churn, fraud, housing).
"""
import os
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

EXAMPLES = {
    "churn": ("data/customers.csv", "churn", ["customer_id"]),
    "fraud": ("data/transactions.csv", "is_fraud", ["transaction_id", "user_id", "timestamp"]),
    "housing": ("data/houses.csv", "price", ["house_id"]),
}


def features(name, df):
    if name == "fraud":
        t = pd.to_datetime(df["timestamp"], utc=True)
        df = df.assign(hour=t.dt.hour, weekday=t.dt.weekday, log_amount=np.log1p(df["amount"]))
    if name == "churn":
        df = df.assign(log_income=np.log1p(df["income"]))
    if name == "housing":
        df = df.assign(log_sqft=np.log(df["square_feet"]), house_age=2026 - df["year_built"])
    return df


def preprocess(numeric, categorical):
    return ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                  OneHotEncoder(handle_unknown="ignore", sparse_output=False)), categorical),
        ]
    )


def check(name, folder):
    data_file, target, drop = EXAMPLES[name]
    df = features(name, pd.read_csv(os.path.join(folder, data_file), keep_default_na=False, na_values=[""]))
    y = df[target].to_numpy()
    X = df.drop(columns=[target, *drop])
    categorical = [c for c in X.columns if X[c].dtype == object]
    numeric = [c for c in X.columns if c not in categorical]
    classification = name != "housing"
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=42, stratify=y if classification else None
    )
    print(f"{name}: {len(df)} rows, {len(X_test)} test rows" + (f", positive rate {y.mean():.3f}" if classification else ""))
    if classification:
        models = {
            "logistic": make_pipeline(preprocess(numeric, categorical), LogisticRegression(max_iter=2000)),
            "hist_gbdt": make_pipeline(
                preprocess(numeric, categorical), HistGradientBoostingClassifier(learning_rate=0.05, max_iter=300, random_state=0)
            ),
        }
        for label, model in models.items():
            model.fit(X_train, y_train)
            p = model.predict_proba(X_test)[:, 1]
            print(
                f"  {label:10s} roc_auc {roc_auc_score(y_test, p):.3f}  pr_auc {average_precision_score(y_test, p):.3f}"
                f"  accuracy {accuracy_score(y_test, p >= 0.5):.3f}  f1 {f1_score(y_test, p >= 0.5):.3f}"
            )
    else:
        models = {
            "ridge": make_pipeline(preprocess(numeric, categorical), Ridge(alpha=1.0)),
            "hist_gbdt": make_pipeline(
                preprocess(numeric, categorical), HistGradientBoostingRegressor(learning_rate=0.05, max_iter=500, random_state=0)
            ),
        }
        for label, model in models.items():
            model.fit(X_train, y_train)
            print(f"  {label:10s} r2 {r2_score(y_test, model.predict(X_test)):.3f}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    found = [n for n in EXAMPLES if os.path.isdir(os.path.join(root, n))]
    if not found:
        sys.exit(f"no example projects (churn, fraud, housing) under {root}")
    for name in found:
        check(name, os.path.join(root, name))


if __name__ == "__main__":
    main()
