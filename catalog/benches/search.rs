//! Top-10 query over 10,000 entries, and recall@10 of the index against a
//! brute-force dense search (the index is exact, so it should be 1.0).

use criterion::{Criterion, criterion_group, criterion_main};
use maestro_catalog::{Catalog, Entry, Filter};

const WORDS: &[&str] = &[
    "fix",
    "login",
    "bug",
    "safari",
    "migrate",
    "billing",
    "postgres",
    "write",
    "docs",
    "design",
    "dashboard",
    "rotate",
    "keys",
    "deploy",
    "pipeline",
    "mobile",
    "push",
    "notifications",
    "churn",
    "report",
    "refactor",
    "cache",
    "api",
    "search",
    "page",
    "invoice",
    "tests",
    "flaky",
    "upgrade",
    "kubernetes",
    "review",
    "security",
];

fn corpus(n: usize) -> Vec<Entry> {
    let mut seed = 42u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n)
        .map(|i| {
            let text: Vec<&str> = (0..6)
                .map(|_| WORDS[next() as usize % WORDS.len()])
                .collect();
            Entry::new(
                format!("task:{i}"),
                if i % 10 == 0 { "person" } else { "task" },
                text.join(" "),
            )
        })
        .collect()
}

fn recall_at_10(catalog: &Catalog, queries: &[&str]) -> f64 {
    let mut found = 0;
    for q in queries {
        let query = catalog.weighted_query(q).unwrap();
        let mut exact: Vec<(String, f32)> = Vec::new();
        catalog
            .index()
            .scan(&mut |e, v| {
                let score = v
                    .iter()
                    .map(|(i, x)| {
                        query
                            .iter()
                            .find(|(j, _)| j == i)
                            .map_or(0.0, |(_, y)| x * y)
                    })
                    .sum();
                exact.push((e.id.clone(), score));
            })
            .unwrap();
        exact.sort_by(|a, b| b.1.total_cmp(&a.1));
        let cutoff = exact[9].1;
        let hits = catalog.search(q, 10, &Filter::any()).unwrap();
        found += hits.iter().filter(|h| h.score >= cutoff - 1e-6).count();
    }
    found as f64 / (10 * queries.len()) as f64
}

fn bench(c: &mut Criterion) {
    let mut catalog = Catalog::in_memory();
    catalog.upsert(corpus(10_000)).unwrap();
    let queries = [
        "fix the safari login bug",
        "postgres billing migration",
        "flaky tests in the pipeline",
        "churn report",
    ];
    println!(
        "recall@10 against exact dense search: {:.3}",
        recall_at_10(&catalog, &queries)
    );
    c.bench_function("top10_of_10000", |b| {
        b.iter(|| catalog.search(queries[0], 10, &Filter::any()).unwrap())
    });
    c.bench_function("top10_of_10000_kind_filter", |b| {
        b.iter(|| {
            catalog
                .search(queries[1], 10, &Filter::kind("person"))
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
