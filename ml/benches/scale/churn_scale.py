#!/usr/bin/env python3
"""Churn sets of any size for the AutoML scale benchmark (`benches/automl_scale.rs`).

    python churn_scale.py N OUTDIR

writes OUTDIR/train_N.csv and OUTDIR/test_N.csv: the churn formula of the
example data (`examples/data/churn.csv`, seed 20240601) with N rows, split
80/20 by numpy's default_rng(1) (a row goes to train when its draw is < 0.8).
The same rows and split as the reference runs in anchors_scale.json. Needs
numpy and pandas (the test command's ./.venv has both)."""
import os
import sys

import numpy as np
import pandas as pd

SEED = 20240601
B0 = -1.45


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def churn(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    customer_id = [f"C{100000 + i}" for i in range(n)]
    gender = rng.choice(["female", "male", "nonbinary"], size=n, p=[0.485, 0.485, 0.03])
    tenure = np.clip(np.round(rng.exponential(26.0, n)) + 1, 1, 72).astype(int)
    plan = rng.choice(["basic", "plus", "pro"], size=n, p=[0.45, 0.35, 0.20])
    p_long = np.clip(0.15 + tenure / 100.0, 0, 0.85)
    u = rng.random(n)
    contract = np.where(u < 1 - p_long, "month_to_month",
                        np.where(u < 1 - p_long / 2.5, "one_year", "two_year"))
    region = rng.choice(["north", "south", "east", "west"], size=n, p=[0.27, 0.23, 0.28, 0.22])
    pm_levels = ["credit_card", "bank_transfer", "electronic_check", "mailed_check"]
    pm_p = {"female": [0.34, 0.28, 0.24, 0.14], "male": [0.26, 0.24, 0.38, 0.12],
            "nonbinary": [0.30, 0.26, 0.32, 0.12]}
    payment_method = np.array([rng.choice(pm_levels, p=pm_p[g]) for g in gender])
    paperless = rng.random(n) < 0.6
    base = {"basic": 25.0, "plus": 55.0, "pro": 90.0}
    monthly = np.array([base[p] for p in plan]) + rng.normal(0, 6, n) + 4.0 * paperless
    monthly = np.round(np.clip(monthly, 10, None), 2)
    total = np.round(monthly * tenure * rng.uniform(0.9, 1.05, n), 2)
    support_calls = rng.poisson(np.where(plan == "basic", 1.6, 1.0)).astype(float)
    contract_eff = {"month_to_month": 0.9, "one_year": -0.4, "two_year": -1.3}
    pay_eff = {"credit_card": 0.0, "bank_transfer": 0.0, "electronic_check": 0.6, "mailed_check": 0.2}
    logit = (B0
             - 0.045 * tenure
             + 0.018 * (monthly - 50.0)
             + 0.35 * support_calls
             + 0.5 * (support_calls >= 4)
             + np.array([contract_eff[c] for c in contract])
             + np.array([pay_eff[p] for p in payment_method])
             + 0.25 * paperless
             + 0.2 * (region == "south"))
    p_noisy = sigmoid(logit + rng.normal(0, 0.3, n))
    churned = np.where(rng.random(n) < p_noisy, "yes", "no")
    total_obs = total.copy()
    total_obs[rng.random(n) < 0.03] = np.nan
    calls_obs = support_calls.copy()
    calls_obs[rng.random(n) < 0.03] = np.nan
    return pd.DataFrame({
        "customer_id": customer_id,
        "gender": gender,
        "tenure_months": tenure,
        "plan": plan,
        "contract": contract,
        "monthly_charges": monthly,
        "total_charges": total_obs,
        "support_calls": pd.array(np.where(np.isnan(calls_obs), None, calls_obs), dtype="Int64"),
        "region": region,
        "payment_method": payment_method,
        "paperless_billing": paperless,
        "churned": churned,
    })


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    full = os.path.join(out, f"churn_{n}.csv")
    churn(n).to_csv(full, index=False)
    df = pd.read_csv(full)
    train = np.random.default_rng(1).random(len(df)) < 0.8
    df[train].to_csv(os.path.join(out, f"train_{n}.csv"), index=False)
    df[~train].to_csv(os.path.join(out, f"test_{n}.csv"), index=False)
    os.remove(full)
    print(f"{len(df)} rows: {int(train.sum())} train, {int((~train).sum())} test")


if __name__ == "__main__":
    main()
