//! A small mutation fuzzer for the parsers Maestro owns: it takes valid
//! seed inputs, mutates them (bit flips, token insertions from a dictionary,
//! cuts, repeats, splices), and hands each result to a check that must not
//! panic. Runs for `MAESTRO_FUZZ_SECONDS` (default 3) from a seed that is
//! printed, so a failure can be replayed with `MAESTRO_FUZZ_SEED`.
//!
//! Used by the fuzz tests of the kernel (message decoding), the server
//! (Slack requests) and the assistant (streamed answer assembly);
//! `scripts/fuzz.sh` runs them for longer.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// Tokens that break parsers more often than random bytes do.
const COMMON: &[&str] = &[
    "0",
    "-1",
    "100000000",
    "18446744073709551615",
    "1e309",
    "null",
    "true",
    "\"\"",
    "[]",
    "{}",
    "\"",
    "\\",
    "\\u0000",
    ",",
    ":",
    "\n",
    "%",
    "&",
    "=",
    "\u{feff}",
    "é",
    "🙂",
];

/// What a fuzz run did.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Inputs tried.
    pub inputs: usize,
    /// The seed of the run.
    pub seed: u64,
}

/// Runs `check` on mutations of `seeds` (and the seeds themselves) until
/// the time budget is spent. `dictionary` adds tokens of the target's own
/// format. A panic in `check` fails the run with the seed and the input.
pub fn run(
    target: &str,
    seeds: &[Vec<u8>],
    dictionary: &[&str],
    mut check: impl FnMut(&[u8]),
) -> Report {
    assert!(
        !seeds.is_empty(),
        "fuzz {target}: give at least one valid input to mutate"
    );
    let seed = std::env::var("MAESTRO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let seconds: f64 = std::env::var("MAESTRO_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    eprintln!("fuzz {target}: seed {seed}, {seconds} s (MAESTRO_FUZZ_SEED, MAESTRO_FUZZ_SECONDS)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let tokens: Vec<&str> = COMMON.iter().chain(dictionary).copied().collect();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut inputs = 0;
    while inputs < seeds.len() || Instant::now() < deadline {
        let input = match seeds.get(inputs) {
            Some(s) => s.clone(),
            None => mutate(&mut rng, seeds, &tokens),
        };
        if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
            panic!(
                "fuzz {target}: input {inputs} of seed {seed} panicked: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
        inputs += 1;
    }
    eprintln!("fuzz {target}: {inputs} inputs");
    Report { inputs, seed }
}

/// One seed changed by one to four mutations.
fn mutate(rng: &mut fastrand::Rng, seeds: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut data = seeds[rng.usize(..seeds.len())].clone();
    for _ in 0..rng.usize(1..=4) {
        let at = rng.usize(..=data.len());
        match rng.u8(..6) {
            0 if !data.is_empty() => {
                let i = rng.usize(..data.len());
                data[i] ^= 1 << rng.u8(..8);
            }
            1 => {
                let token = tokens[rng.usize(..tokens.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            2 if at < data.len() => {
                let end = rng.usize(at..=data.len().min(at + 16));
                data.drain(at..end);
            }
            3 if at < data.len() => {
                let end = rng.usize(at..=data.len().min(at + 64));
                let piece = data[at..end].to_vec();
                let times = rng.usize(1..=8);
                for _ in 0..times {
                    data.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let other = &seeds[rng.usize(..seeds.len())];
                let from = rng.usize(..=other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(at),
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_check_fails_the_run_with_its_seed() {
        let failed = catch_unwind(|| {
            run("demo", &[b"{\"a\": 1}".to_vec()], &[], |input| {
                assert!(!input.contains(&b'}') || input.len() < 100);
            })
        });
        let message = failed.expect_err("long inputs with a brace panic");
        let text = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.contains("seed") && text.contains("panicked"), "{text}");
    }

    #[test]
    fn mutations_reach_beyond_the_seeds() {
        let mut rng = fastrand::Rng::with_seed(7);
        let seeds = [b"{\"index\": 0}".to_vec()];
        let distinct: std::collections::HashSet<Vec<u8>> =
            (0..200).map(|_| mutate(&mut rng, &seeds, COMMON)).collect();
        assert!(distinct.len() > 100, "{}", distinct.len());
    }
}
