//! What a cell holds: a plain-language request, `%%json` over a request, or a
//! line magic.

/// The magics, each with one line of help (also what `%help` and completion show).
pub const MAGICS: &[(&str, &str)] = &[
    ("%help", "what Maestro can do, and these magics"),
    ("%tools", "the platform's tools as a table"),
    (
        "%reset",
        "start a new conversation (forgets pending questions)",
    ),
    (
        "%history",
        "the cells run in this kernel (`%history -n 5` for the last five)",
    ),
    (
        "%config",
        "show settings, or set one: `%config actor=Bob`, `%config stdin=off`; `%config usage` shows the language model's tokens and cost",
    ),
    (
        "%%json",
        "on a cell's first line: show the raw actions of the request below it",
    ),
    (
        "%echo",
        "print text (`%echo --stderr TEXT` prints to stderr)",
    ),
    ("%sleep", "wait SECONDS with a progress bar (interruptible)"),
    (
        "%parse",
        "what Maestro reads in a request (spans, intent scores, roles) and the calls it would make, without running them",
    ),
];

/// A parsed cell.
#[derive(Debug, PartialEq)]
pub enum Cell {
    /// Nothing to run.
    Empty,
    /// A request in plain language.
    Request(String),
    /// `%%json`: run the request and show its actions as JSON.
    Json(String),
    /// A line magic.
    Magic(Magic),
}

/// A line magic with its arguments.
#[derive(Debug, PartialEq)]
pub enum Magic {
    /// `%help`
    Help,
    /// `%tools`
    Tools,
    /// `%reset`
    Reset,
    /// `%history [-n N]`
    History(Option<usize>),
    /// `%config [key=value]`
    Config(Option<(String, String)>),
    /// `%config usage`: the language model's tokens and cost.
    Usage,
    /// `%echo [--stderr] TEXT`
    Echo {
        /// The text.
        text: String,
        /// To stderr instead of stdout.
        stderr: bool,
    },
    /// `%sleep SECONDS`
    Sleep(f64),
    /// `%parse TEXT`
    Parse(String),
}

/// Why a cell cannot run; the message says what to type instead.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct MagicError(pub String);

/// Reads a cell. Lines ending in `\` continue on the next line.
pub fn parse(code: &str) -> Result<Cell, MagicError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(Cell::Empty);
    }
    if let Some(rest) = code.strip_prefix("%%") {
        let (name, body) = rest.split_once('\n').unwrap_or((rest, ""));
        if name.trim() != "json" {
            return Err(unknown(&format!("%%{}", name.trim())));
        }
        let body = join_lines(body);
        if body.is_empty() {
            return Err(MagicError(
                "%%json needs a request on the lines below it, e.g. `%%json` then `list tasks`"
                    .into(),
            ));
        }
        return Ok(Cell::Json(body));
    }
    if code.starts_with('%') {
        return line_magic(code).map(Cell::Magic);
    }
    Ok(Cell::Request(join_lines(code)))
}

/// `complete`, `incomplete` or `invalid`, for `is_complete_request`.
pub fn completeness(code: &str) -> &'static str {
    let trimmed = code.trim_end_matches([' ', '\t']);
    if trimmed.ends_with('\\') || trimmed.trim() == "%%json" {
        return "incomplete";
    }
    match parse(code) {
        Ok(_) => "complete",
        Err(_) => "invalid",
    }
}

fn join_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.trim().trim_end_matches('\\').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_magic(code: &str) -> Result<Magic, MagicError> {
    let (name, args) = code
        .split_once(char::is_whitespace)
        .map(|(n, a)| (n, a.trim()))
        .unwrap_or((code, ""));
    let no_args = |magic: Magic| {
        if args.is_empty() {
            Ok(magic)
        } else {
            Err(MagicError(format!("{name} takes no arguments")))
        }
    };
    match name {
        "%help" => no_args(Magic::Help),
        "%parse" if args.is_empty() => Err(MagicError(
            "%parse takes a request, e.g. `%parse create a task for Bob to fix the login bug`"
                .into(),
        )),
        "%parse" => Ok(Magic::Parse(args.to_string())),
        "%tools" => no_args(Magic::Tools),
        "%reset" => no_args(Magic::Reset),
        "%history" => match args.strip_prefix("-n") {
            None if args.is_empty() => Ok(Magic::History(None)),
            Some(n) => n
                .trim()
                .parse()
                .map(|n| Magic::History(Some(n)))
                .map_err(|_| {
                    MagicError("%history -n takes a number of cells, e.g. `%history -n 5`".into())
                }),
            None => Err(MagicError(
                "%history takes `-n N` or nothing, e.g. `%history -n 5`".into(),
            )),
        },
        "%config" if args.is_empty() => Ok(Magic::Config(None)),
        "%config" if args == "usage" => Ok(Magic::Usage),
        "%config" => args
            .split_once('=')
            .map(|(k, v)| Magic::Config(Some((k.trim().to_string(), v.trim().to_string()))))
            .ok_or_else(|| MagicError("%config takes key=value, e.g. `%config actor=Bob`".into())),
        "%echo" => Ok(match args.strip_prefix("--stderr") {
            Some(text) => Magic::Echo {
                text: text.trim().to_string(),
                stderr: true,
            },
            None => Magic::Echo {
                text: args.to_string(),
                stderr: false,
            },
        }),
        "%sleep" => match args.parse::<f64>() {
            Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(Magic::Sleep(s)),
            _ => Err(MagicError(
                "%sleep takes a number of seconds between 0 and 86400, e.g. `%sleep 2.5`".into(),
            )),
        },
        other => Err(unknown(other)),
    }
}

fn unknown(name: &str) -> MagicError {
    let closest = MAGICS
        .iter()
        .map(|(m, _)| (strsim::levenshtein(m, name), *m))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, m)| format!(" Did you mean {m}?"))
        .unwrap_or_default();
    let all: Vec<&str> = MAGICS.iter().map(|(m, _)| *m).collect();
    MagicError(format!(
        "Unknown magic {name}.{closest} The magics are {}; anything else is a request in plain words.",
        all.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_magics_are_told_apart() {
        assert_eq!(
            parse("list my\\\n tasks").unwrap(),
            Cell::Request("list my tasks".into())
        );
        assert_eq!(
            parse("%%json\nlist tasks").unwrap(),
            Cell::Json("list tasks".into())
        );
        assert_eq!(
            parse("%echo --stderr oops").unwrap(),
            Cell::Magic(Magic::Echo {
                text: "oops".into(),
                stderr: true
            })
        );
        assert_eq!(
            parse("%config actor = Bob").unwrap(),
            Cell::Magic(Magic::Config(Some(("actor".into(), "Bob".into()))))
        );
        assert_eq!(
            parse("%history -n 3").unwrap(),
            Cell::Magic(Magic::History(Some(3)))
        );
        assert_eq!(parse("  \n").unwrap(), Cell::Empty);
        assert_eq!(
            parse("%parse remind dave to renew the certs").unwrap(),
            Cell::Magic(Magic::Parse("remind dave to renew the certs".into()))
        );
        assert!(parse("%parse").unwrap_err().0.contains("takes a request"));
    }

    #[test]
    fn bad_magics_say_what_to_type() {
        let e = parse("%ehco hi").unwrap_err();
        assert!(e.0.contains("Did you mean %echo?"), "{e}");
        assert!(parse("%sleep soon").unwrap_err().0.contains("seconds"));
        assert!(parse("%sleep -1").is_err());
        assert!(parse("%tools now").unwrap_err().0.contains("no arguments"));
        assert!(parse("%%json").unwrap_err().0.contains("request"));
    }

    #[test]
    fn completeness_follows_continuations() {
        assert_eq!(completeness("list tasks"), "complete");
        assert_eq!(completeness("create a task \\"), "incomplete");
        assert_eq!(completeness("%%json"), "incomplete");
        assert_eq!(completeness("%nosuchmagic"), "invalid");
    }
}
