//! Values that fill the phrasing templates' slots when the training corpus
//! is generated, and the made-up workspace they belong to (so that the
//! recognisers see the generated names as the names of a real workspace).

use chrono::NaiveDate;
use maestro_tools::Person;

use super::lexicon::Lexicon;
use super::rng::Rng;

/// The made-up team: (full name, Slack id, skills).
const PEOPLE: &[(&str, &str, &[&str])] = &[
    (
        "Alice Johnson",
        "U01ALICE",
        &["backend", "auth", "security"],
    ),
    ("Bob Smith", "U02BOB", &["frontend", "mobile", "docs"]),
    ("Carol Diaz", "U03CAROL", &["data", "ml", "sql"]),
    ("Dave Kim", "U04DAVE", &["devops", "infra", "postgres"]),
    ("Erin Walsh", "U05ERIN", &["design", "ux"]),
    ("Olga Ivanova", "U11OLGA", &["python", "spark"]),
    ("Mateo Silva", "U12MATEO", &["react", "typescript"]),
    ("Aisha Bello", "U13AISHA", &["kubernetes", "terraform"]),
    ("Yuki Tanaka", "U14YUKI", &["ios", "swift"]),
    ("Noah Fischer", "U15NOAH", &["go", "grpc"]),
    ("Chloe Martin", "U16CHLOE", &["marketing", "copywriting"]),
    ("Arjun Mehta", "U17ARJUN", &["rust", "networking"]),
    ("Elena Popescu", "U18ELENA", &["qa", "testing"]),
    ("Samir Khan", "U19SAMIR", &["finance", "excel"]),
    ("Ingrid Larsen", "U20INGRID", &["android", "kotlin"]),
    ("Diego Alvarez", "U21DIEGO", &["java", "kafka"]),
];

/// Made-up names of people not on the team (new hires, unknown names).
const NEW_PEOPLE: &[&str] = &[
    "Hannah Weber",
    "Kwame Mensah",
    "Lucia Ferrari",
    "Tariq Aziz",
    "Mira Novak",
    "Jonas Berg",
    "Leila Haddad",
    "Owen Clarke",
    "Freya Nilsson",
    "Ravi Kumar",
];

const PROJECTS: &[&str] = &[
    "Website",
    "Billing",
    "Platform",
    "Mobile App",
    "Growth",
    "Payments",
    "Data Warehouse",
    "Onboarding",
    "Analytics",
    "Infra",
];

/// Made-up datasets with their columns.
const DATASETS: &[(&str, &[&str])] = &[
    (
        "churn",
        &[
            "customer_id",
            "gender",
            "tenure_months",
            "plan",
            "monthly_charges",
            "region",
            "churned",
        ],
    ),
    ("iris", &["sepal length (cm)", "petal width (cm)", "target"]),
    (
        "wine",
        &["alcohol", "malic_acid", "color_intensity", "target"],
    ),
    (
        "sales",
        &["order_id", "store", "units", "price", "revenue", "returned"],
    ),
    (
        "leads",
        &["lead_id", "source", "industry", "employees", "converted"],
    ),
    (
        "housing",
        &[
            "rooms",
            "area_sqft",
            "neighbourhood",
            "age_years",
            "sale_price",
        ],
    ),
    (
        "tickets",
        &[
            "ticket_id",
            "channel",
            "priority_level",
            "first_response_hours",
            "escalated",
        ],
    ),
    (
        "credit",
        &["income", "debt_ratio", "late_payments", "defaulted"],
    ),
    (
        "task_durations",
        &[
            "estimate_hours",
            "story_points",
            "actual_hours",
            "missed_deadline",
        ],
    ),
    ("breast_cancer", &["mean radius", "mean texture", "target"]),
    ("diabetes", &["age", "sex", "bmi", "bp", "target"]),
    ("digits", &["pixel_0_0", "pixel_3_4", "target"]),
];

/// The made-up workspace, as the recognisers would see it on `today` at 10:00.
pub fn lexicon(today: NaiveDate) -> Lexicon {
    let mut skills: Vec<String> = PEOPLE
        .iter()
        .flat_map(|(_, _, s)| s.iter().map(|x| x.to_string()))
        .collect();
    skills.sort();
    skills.dedup();
    Lexicon {
        people: PEOPLE
            .iter()
            .map(|(name, slack, skills)| Person {
                name: name.to_string(),
                email: Some(format!("{}@acme.io", first(name).to_lowercase())),
                slack_id: Some(slack.to_string()),
                skills: skills.iter().map(|s| s.to_string()).collect(),
                capacity: 40.0,
                timezone: None,
            })
            .collect(),
        actor: Some(PEOPLE[0].0.to_string()),
        projects: PROJECTS.iter().map(|p| p.to_string()).collect(),
        skills,
        datasets: DATASETS
            .iter()
            .map(|(d, cols)| (d.to_string(), cols.iter().map(|c| c.to_string()).collect()))
            .collect(),
        models: vec!["churn_v2".into(), "lead_scorer".into()],
        today,
        now: today.and_hms_opt(10, 0, 0).unwrap_or_default(),
        dates: Default::default(),
    }
}

fn first(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

const VERBS: &[&str] = &[
    "fix",
    "update",
    "write",
    "review",
    "migrate",
    "set up",
    "clean up",
    "investigate",
    "refactor",
    "design",
    "test",
    "deploy",
    "document",
    "prepare",
    "audit",
    "renew",
    "upgrade",
    "rotate",
    "draft",
    "plan",
    "benchmark",
    "rebuild",
    "archive",
    "schedule",
    "translate",
    "automate",
    "monitor",
    "debug",
    "patch",
    "replace",
    "remove",
    "redesign",
    "finish",
    "check",
    "organise",
    "publish",
    "backfill",
    "profile",
    "localise",
    "onboard",
];

const OBJECTS: &[&str] = &[
    "the login page",
    "the billing API",
    "the onboarding guide",
    "the staging database",
    "the release notes",
    "the Q3 roadmap",
    "the TLS certificates",
    "the CI pipeline",
    "the pricing page",
    "the vendor contract",
    "the search index",
    "the payment webhooks",
    "the error budget dashboard",
    "the sprint retro notes",
    "the Android build",
    "the nightly ETL job",
    "the cookie banner",
    "the support macros",
    "the GDPR export",
    "the load balancer config",
    "flaky integration tests",
    "the password reset flow",
    "the invoice PDF template",
    "the design system tokens",
    "the customer survey",
    "the data retention policy",
    "the Kafka consumers",
    "the iOS widget",
    "the metrics exporter",
    "broken links in the docs",
    "the budget spreadsheet",
    "the hiring pipeline",
    "the on-call runbook",
    "the SSO integration",
    "the backup restore drill",
    "slow queries on the reports page",
    "the marketing newsletter",
    "the API rate limits",
    "the dark mode toggle",
    "the quarterly board deck",
];

const DESCRIPTIONS: &[&str] = &[
    "customers see a blank page after login",
    "blocked on legal review",
    "see the thread in #ops",
    "only happens on Firefox",
    "needs sign-off from finance",
    "the old one expires on the 20th",
];

/// Days with a time of day, as people say when something should happen.
const MOMENTS: &[&str] = &[
    "tomorrow at 3pm",
    "tomorrow at 10am",
    "tmrw at 9",
    "at 4pm",
    "at 3",
    "at 11:30",
    "at noon",
    "this afternoon",
    "this evening",
    "tonight",
    "in 2 hours",
    "in an hour",
    "in 30 minutes",
    "in 15 mins",
    "in half an hour",
    "friday morning",
    "monday at 9",
    "thursday at 2pm",
    "wednesday afternoon",
    "at 10 on friday",
    "tomorrow morning",
    "next monday at 10am",
    "dec 17 at 16:00",
    "at 5:30 pm",
    "first thing tomorrow",
    "tomorrow at lunch",
];

/// Time zones as people name them.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "UTC",
    "Europe/London",
    "berlin",
    "new york",
    "london",
    "tokyo",
    "paris",
    "los angeles",
    "singapore",
    "chicago",
    "Australia/Sydney",
    "Asia/Kolkata",
];

const DATES: &[&str] = &[
    "today",
    "tonight",
    "EOD",
    "eod",
    "COB",
    "tomorrow",
    "tmrw",
    "tmr",
    "monday",
    "Tuesday",
    "wed",
    "thursday",
    "Friday",
    "fri",
    "this friday",
    "next monday",
    "next Wednesday",
    "next fri",
    "eod thursday",
    "end of the week",
    "end of week",
    "this week",
    "end of the month",
    "EOM",
    "next week",
    "end of next week",
    "in 3 days",
    "in two weeks",
    "in 2 wks",
    "in a week",
    "Dec 17",
    "December 21st",
    "jan 9",
    "the 20th",
    "12/15",
    "1/12",
    "3rd of january",
    "christmas eve",
    "before christmas",
    "new year's eve",
    "end of Q1",
    "end of the quarter",
    "2027-01-15",
];

const PRIORITIES: &[&str] = &[
    "high priority",
    "high pri",
    "high",
    "urgent",
    "critical",
    "top priority",
    "low priority",
    "low pri",
    "low",
    "medium priority",
    "medium",
    "p1",
    "p0",
];

const TAGS: &[&str] = &[
    "bug",
    "infra",
    "docs",
    "security",
    "frontend, bug",
    "ops and docs",
    "backend",
    "ux",
    "tech-debt",
    "q1",
    "#bug",
    "#infra #docs",
    "#security",
];

const HOURS: &[&str] = &[
    "3 hours",
    "6h",
    "4 hrs",
    "2.5 hours",
    "8 hours",
    "10h",
    "1 hour",
    "12 hrs",
    "5 hours",
    "16h",
];

const TASK_REFS: &[&str] = &[
    "task 12",
    "#7",
    "ticket 3",
    "task #4",
    "#21",
    "task 9",
    "ticket #15",
    "the login bug",
    "the onboarding docs task",
    "the API key rotation",
    "the billing migration",
    "the dashboard redesign",
    "the SSO task",
    "the flaky tests ticket",
    "the newsletter one",
    "the SSO work",
    "the rate limit thing",
    "the pricing page stuff",
    "the webhook retries",
    "the 2FA rollout",
];

const SKILLS: &[&str] = &[
    "python",
    "rust",
    "sql",
    "design",
    "react",
    "kubernetes",
    "postgres",
    "ios",
    "android",
    "ml",
    "security",
    "docs",
    "go",
    "terraform",
    "data",
];

const COLUMNS: &[&str] = &[
    "churned",
    "tenure_months",
    "monthly_charges",
    "revenue",
    "price",
    "target",
    "region",
    "converted",
    "sale_price",
    "escalated",
    "defaulted",
    "actual_hours",
    "gender",
    "plan",
    "income",
];

const DATASET_NAMES: &[&str] = &[
    "churn",
    "iris",
    "wine",
    "sales",
    "leads",
    "housing",
    "tickets",
    "credit",
    "task_durations",
];

const METRICS: &[&str] = &[
    "auc",
    "roc auc",
    "f1",
    "accuracy",
    "rmse",
    "mae",
    "r2",
    "log loss",
    "balanced accuracy",
];

const SECONDS: &[&str] = &[
    "60 seconds",
    "2 min",
    "90s",
    "5 minutes",
    "30 secs",
    "45s",
    "3 mins",
    "10 minutes",
    "120s",
];

/// How often something recurs, as people write it (each one the
/// recurrence recogniser reads).
const RULES: &[&str] = &[
    "every monday",
    "every Monday at 9",
    "every friday at 4pm",
    "every other friday",
    "every other Tuesday at 10am",
    "every weekday",
    "every weekday at 8:30",
    "each quarter",
    "quarterly",
    "on the 1st of every month",
    "on the 15th of each month",
    "the last day of every month",
    "the first monday of every month",
    "the last friday of each month",
    "every day",
    "daily",
    "every morning",
    "weekly",
    "monthly",
    "every week",
    "every month",
    "every 2 weeks",
    "every three days",
    "mondays",
    "on thursdays",
    "every tuesday and thursday",
    "every mon and wed at 11",
    "every month on the 10th",
    "every year on march 31",
    "every monday until march",
    "every day until the end of the year",
    "every friday at noon",
    "each wednesday",
    "biweekly",
    "every sunday at 6pm",
    "every 4 weeks",
    "yearly",
    "every thursday at 2:30pm until june 30",
];

const VERSIONS: &[&str] = &["v2", "v3", "version 4", "v1", "version 2", "v5"];

const STAGES: &[&str] = &["production", "prod", "staging"];

const PATHS: &[&str] = &[
    "data/orders_2026.csv",
    "uploads/leads_q4.csv",
    "~/exports/tickets.csv",
    "./survey_results.csv",
    "s3_sync/housing.csv",
    "data/raw/credit_dec.csv",
];

const QUERIES: &[&str] = &[
    "onboarding",
    "payments",
    "single sign-on",
    "notifications",
    "the billing migration",
    "accessibility",
    "rate limits",
    "customer exports",
];

const ROW_IDS: &[&str] = &["C100042", "C100907", "row 17", "row 3", "L-2231", "T-10002"];

const TOPICS: &[&str] = &[
    "create_task",
    "run_automl",
    "predict",
    "list_tasks",
    "check_bias",
    "tasks",
    "models",
];

const CAPACITIES: &[&str] = &[
    "32 hours a week",
    "20h/week",
    "30 hrs per week",
    "40 hours a week",
    "24h a week",
];

/// A value of `kind` as someone might type it (`None` for a kind not in [`KINDS`]).
pub fn value(kind: &str, rng: &mut Rng) -> Option<String> {
    let from = |rng: &mut Rng, items: &[&str]| rng.pick(items).to_string();
    Some(match kind {
        "person" => person(rng),
        "new_person" => from(rng, NEW_PEOPLE),
        "title" => title(rng),
        "thing" => from(rng, OBJECTS),
        "description" => from(rng, DESCRIPTIONS),
        "date" => from(rng, DATES),
        "moment" => from(rng, MOMENTS),
        "zone" => from(rng, ZONES),
        "rule" => from(rng, RULES),
        "priority" => from(rng, PRIORITIES),
        "project" => project(rng),
        "tags" => tags(rng),
        "hours" => from(rng, HOURS),
        "task" => task_ref(rng),
        "skill" | "skills" => from(rng, SKILLS),
        "email" => {
            let name: &&str = rng.pick(NEW_PEOPLE);
            format!("{}@acme.io", first(name).to_lowercase())
        }
        "slack_id" => format!("<@U{}X>", 30 + rng.below(60)),
        "capacity" => from(rng, CAPACITIES),
        "dataset" => from(rng, DATASET_NAMES),
        "model" => from(rng, DATASET_NAMES),
        "column" => column(rng),
        "metric" => from(rng, METRICS),
        "seconds" => from(rng, SECONDS),
        "version" => from(rng, VERSIONS),
        "stage" => from(rng, STAGES),
        "path" => from(rng, PATHS),
        "query" => from(rng, QUERIES),
        "row_id" => from(rng, ROW_IDS),
        "topic" => from(rng, TOPICS),
        "number" => (2 + rng.below(9)).to_string(),
        "tag" => from(
            rng,
            &[
                "docs", "security", "bug", "backend", "mobile", "infra", "ux",
            ],
        ),
        "me" => from(rng, &["my", "of my"]),
        "open_status" => from(rng, &["open", "outstanding", "remaining", "unfinished"]),
        "todo_status" => from(rng, &["todo", "to-do", "not started"]),
        "start_status" => from(rng, &["start", "begin", "kick off", "pick up"]),
        "me_object" => from(rng, &["me", "myself"]),
        "i" => from(rng, &["I", "i"]),
        "done_verb" => from(rng, &["close", "complete", "finish", "close out"]),
        "done_status" => from(rng, &["done", "complete", "finished", "closed"]),
        "overdue" => from(rng, &["overdue", "that's overdue", "past due", "late"]),
        "folds" => format!("{} folds", 3 + rng.below(8)),
        _ => return None,
    })
}

/// Every slot kind [`value`] fills.
pub const KINDS: &[&str] = &[
    "person",
    "rule",
    "new_person",
    "title",
    "thing",
    "description",
    "date",
    "moment",
    "zone",
    "i",
    "priority",
    "project",
    "tags",
    "hours",
    "task",
    "skill",
    "skills",
    "email",
    "slack_id",
    "capacity",
    "dataset",
    "model",
    "column",
    "metric",
    "seconds",
    "version",
    "stage",
    "path",
    "query",
    "row_id",
    "topic",
    "number",
    "folds",
    "start_status",
    "me_object",
    "done_verb",
    "tag",
    "me",
    "open_status",
    "todo_status",
    "done_status",
    "overdue",
];

fn person(rng: &mut Rng) -> String {
    let (name, slack, _) = *rng.pick(PEOPLE);
    let first_name = first(name);
    match rng.below(8) {
        0 => name.to_string(),
        1 => format!("<@{slack}>"),
        2 => format!("@{}", first_name.to_lowercase()),
        3 | 4 => first_name.to_lowercase(),
        _ => first_name.to_string(),
    }
}

/// A task as people point at it: by number, by its words, or by what the
/// conversation is about ("it", "the second one", "the erin one").
fn task_ref(rng: &mut Rng) -> String {
    if rng.chance(0.45) {
        return rng.pick(TASK_REFS).to_string();
    }
    if rng.chance(0.45) {
        return task_by_words(rng);
    }
    let first_name = first(rng.pick(PEOPLE).0).to_lowercase();
    match rng.below(6) {
        0 | 1 => rng
            .pick(&["it", "that one", "this one", "that"])
            .to_string(),
        2 | 3 => format!(
            "the {} one",
            rng.pick(&["first", "second", "last", "third", "2nd"])
        ),
        4 => format!("the {first_name} one"),
        _ => format!("{first_name}'s"),
    }
}

/// A task named by some of its words, as people do: "the billing API
/// ticket", "CI pipeline", "the search index thing".
fn task_by_words(rng: &mut Rng) -> String {
    let object = rng.pick(OBJECTS).trim_start_matches("the ");
    let words: Vec<&str> = object.split_whitespace().collect();
    let keep = &words[words.len().saturating_sub(1 + rng.below(3))..];
    let noun = rng.pick(&[
        "", "", " task", " ticket", " card", " one", " thing", " work", " stuff",
    ]);
    let the = if rng.chance(0.7) { "the " } else { "" };
    format!("{the}{}{noun}", keep.join(" "))
}

/// Tags: common ones, or any word of the work vocabulary (so that a tag
/// never seen in training still reads as one).
fn tags(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        return rng.pick(TAGS).to_string();
    }
    let object = rng.pick(OBJECTS);
    let word = object
        .split_whitespace()
        .rfind(|w| w.len() > 3 && *w != "the")
        .unwrap_or("ops");
    word.to_lowercase()
}

/// Everyday and phrasal verbs a title may start with. Some also carry
/// requests ("put", "make", "add", "move", "look"), so the tagger must learn
/// where a title stands rather than how its first word reads.
const TITLE_VERBS: &[&str] = &[
    "put together",
    "look at",
    "look into",
    "follow up on",
    "sort out",
    "go through",
    "load test",
    "hand off",
    "make",
    "move",
    "add",
    "set",
    "start",
    "change",
    "get",
    "book",
    "order",
    "send",
    "share",
    "present",
    "chase",
    "confirm",
    "cancel",
    "run",
    "close out",
    "track down",
    "write up",
    "sign off on",
    "double-check",
    "ask legal about",
];

/// What people report as broken, for titles that state a problem.
const PROBLEMS: &[&str] = &[
    "is broken",
    "keeps timing out",
    "fails on Safari",
    "is slow again",
    "throws a 500",
    "shows the wrong totals",
    "is down",
    "leaks memory",
    "doesn't load on mobile",
];

/// Kinds of work named by a noun: "the CI pipeline cleanup".
const WORK_NOUNS: &[&str] = &[
    "cleanup",
    "migration",
    "follow-up",
    "review",
    "fixes",
    "rollout",
];

/// A task title: mostly verb and object, but also a phrasal verb, a
/// problem as reported, a "figure out why …", or a noun phrase.
fn title(rng: &mut Rng) -> String {
    let object = rng.pick(OBJECTS);
    match rng.below(10) {
        0..=4 => format!("{} {object}", rng.pick(VERBS)),
        5 | 6 => format!("{} {object}", rng.pick(TITLE_VERBS)),
        7 => format!("{object} {}", rng.pick(PROBLEMS)),
        8 => format!("figure out why {object} {}", rng.pick(PROBLEMS)),
        _ => format!("{object} {}", rng.pick(WORK_NOUNS)),
    }
}

fn project(rng: &mut Rng) -> String {
    let p = rng.pick(PROJECTS);
    if rng.chance(0.4) {
        p.to_lowercase()
    } else {
        p.to_string()
    }
}

fn column(rng: &mut Rng) -> String {
    let c = rng.pick(COLUMNS);
    if rng.chance(0.3) {
        c.replace('_', " ")
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_kind_has_values_and_no_other_does() {
        let mut rng = Rng::new(3);
        for kind in KINDS {
            assert!(
                value(kind, &mut rng).is_some_and(|v| !v.is_empty()),
                "{kind}"
            );
        }
        assert_eq!(value("titel", &mut rng), None);
    }
}
