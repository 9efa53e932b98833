//! The cells this kernel ran, for `history_request` and `%history`.

use jupyter_protocol::{HistoryEntry, HistoryRequest};

/// Session number reported in history entries (one kernel process, one session).
const SESSION: usize = 1;

/// Inputs (and their text output) in the order they ran.
#[derive(Default)]
pub struct History {
    cells: Vec<(usize, String, String)>,
}

impl History {
    /// Records cell `line` with its input and plain-text output.
    pub fn push(&mut self, line: usize, input: &str, output: String) {
        self.cells.push((line, input.to_string(), output));
    }

    /// The last `n` inputs with their line numbers, oldest first.
    pub fn tail(&self, n: usize) -> impl Iterator<Item = (usize, &str)> {
        let skip = self.cells.len().saturating_sub(n);
        self.cells[skip..].iter().map(|(l, i, _)| (*l, i.as_str()))
    }

    /// Answers a `history_request`.
    pub fn answer(&self, request: &HistoryRequest) -> Vec<HistoryEntry> {
        let (picked, output): (Vec<&(usize, String, String)>, bool) = match request {
            HistoryRequest::Tail { n, output, .. } => {
                let skip = self.cells.len().saturating_sub((*n).max(0) as usize);
                (self.cells[skip..].iter().collect(), *output)
            }
            HistoryRequest::Range {
                session,
                start,
                stop,
                output,
                ..
            } => {
                let here = matches!(session, None | Some(0) | Some(1));
                // Negative line numbers count back from the end, as in IPython.
                let last = self.cells.last().map_or(0, |c| c.0 as i64);
                let line = |n: i32| {
                    if n < 0 {
                        (last + 1 + i64::from(n)).max(0) as usize
                    } else {
                        n as usize
                    }
                };
                let (start, stop) = (line(*start), line(*stop));
                let picked = self
                    .cells
                    .iter()
                    .filter(|(l, ..)| here && *l >= start && (stop == 0 || *l < stop))
                    .collect();
                (picked, *output)
            }
            HistoryRequest::Search {
                pattern,
                unique,
                n,
                output,
                ..
            } => {
                let mut picked: Vec<_> = self
                    .cells
                    .iter()
                    .filter(|(_, input, _)| glob(pattern, input))
                    .collect();
                if *unique {
                    let mut seen = std::collections::HashSet::new();
                    picked.reverse();
                    picked.retain(|(_, input, _)| seen.insert(input.as_str()));
                    picked.reverse();
                }
                if *n > 0 {
                    picked.drain(..picked.len().saturating_sub(*n as usize));
                }
                (picked, *output)
            }
        };
        picked
            .into_iter()
            .map(|(line, input, out)| {
                if output {
                    HistoryEntry::InputOutput(SESSION, *line, (input.clone(), out.clone()))
                } else {
                    HistoryEntry::Input(SESSION, *line, input.clone())
                }
            })
            .collect()
    }
}

/// Whole-text glob match with `*` (any run) and `?` (any one character),
/// as IPython's history search does.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> History {
        let mut h = History::default();
        for (line, input) in ["list tasks", "help", "list tasks", "list people"]
            .iter()
            .enumerate()
        {
            h.push(line + 1, input, format!("out {}", line + 1));
        }
        h
    }

    #[test]
    fn glob_matches_the_whole_text() {
        assert!(glob("list*", "list tasks"));
        assert!(glob("*task?", "list tasks"));
        assert!(!glob("list", "list tasks"));
        assert!(!glob("*people", "list tasks"));
        assert!(glob("*", ""));
    }

    #[test]
    fn search_unique_keeps_the_latest_of_each_input() {
        let h = history();
        let search = |unique, n| HistoryRequest::Search {
            pattern: "list*".into(),
            unique,
            n,
            output: false,
            raw: true,
        };
        assert_eq!(h.answer(&search(false, 0)).len(), 3);
        let unique: Vec<usize> = h
            .answer(&search(true, 0))
            .into_iter()
            .map(|e| match e {
                HistoryEntry::Input(_, line, _) => line,
                HistoryEntry::InputOutput(..) => unreachable!("output was not asked for"),
            })
            .collect();
        assert_eq!(unique, [3, 4]);
        assert_eq!(h.answer(&search(false, 2)).len(), 2);
    }

    #[test]
    fn tail_and_range_pick_lines() {
        let h = history();
        let tail = h.answer(&HistoryRequest::Tail {
            n: 2,
            output: true,
            raw: true,
        });
        assert!(
            matches!(&tail[1], HistoryEntry::InputOutput(1, 4, (i, o)) if i == "list people" && o == "out 4")
        );
        let range = h.answer(&HistoryRequest::Range {
            session: Some(0),
            start: 2,
            stop: 3,
            output: false,
            raw: true,
        });
        assert!(matches!(&range[..], [HistoryEntry::Input(1, 2, i)] if i == "help"));
    }
}
