#!/usr/bin/env python3
"""FLAML's figure for one churn scale set, by the protocol of `anchors_scale.json`:
60 s budget on the train file, one thread, holdout ROC AUC on the test file.

    python flaml_scale.py ROWS DIR [BUDGET]

Needs `flaml[automl]`, pandas and threadpoolctl (not part of the test command).
Peak RSS is read by wrapping it in `/usr/bin/time -v`.
"""
import sys
import time

import pandas as pd
from flaml import AutoML
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits


def main() -> None:
    rows, folder = sys.argv[1], sys.argv[2]
    budget = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    train = pd.read_csv(f"{folder}/train_{rows}.csv")
    test = pd.read_csv(f"{folder}/test_{rows}.csv")
    features = [c for c in train.columns if c not in ("customer_id", "churned")]
    for frame in (train, test):
        for c in features:
            if frame[c].dtype == object:
                frame[c] = frame[c].astype("category")
    automl = AutoML()
    start = time.time()
    with threadpool_limits(1):
        automl.fit(
            train[features], train["churned"] == "yes", task="classification",
            metric="roc_auc", time_budget=budget, n_jobs=1, verbose=0, seed=1,
        )
        p = automl.predict_proba(test[features])[:, 1]
    auc = roc_auc_score(test["churned"] == "yes", p)
    print(f'{{"rows": {rows}, "holdout_auc": {auc:.4f}, "best": "{automl.best_estimator}", '
          f'"fit_s": {time.time() - start:.1f}}}')


if __name__ == "__main__":
    main()
