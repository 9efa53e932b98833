//! Markdown as a person reads it in a terminal: headings and `**bold**` in
//! bold, `code` in colour, `- items` as bullets, paragraphs wrapped to the
//! width; with no escape codes when the output is piped or `NO_COLOR` is set
//! (then the markup is dropped, not shown, and lines are not wrapped).

use std::io::IsTerminal as _;

/// How text is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI bold and colours.
    pub color: bool,
    /// Columns to wrap at.
    pub width: usize,
}

impl Style {
    /// For standard output: on a terminal, colours unless `NO_COLOR` and
    /// its width (`COLUMNS`, else the terminal's, else 80; at least 40);
    /// piped, plain text wrapped only when `COLUMNS` says so.
    pub fn stdout() -> Self {
        let tty = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
        let width = match (columns, tty) {
            (Some(c), _) => usize::max(c, 40),
            (None, true) => terminal_width().unwrap_or(80).max(40),
            (None, false) => usize::MAX,
        };
        Self {
            color: tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            width,
        }
    }
}

#[cfg(unix)]
fn terminal_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills a winsize owned here; fd 1 is standard output.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn terminal_width() -> Option<usize> {
    None
}

/// `markdown` drawn in `style`.
pub fn render(markdown: &str, style: Style) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || trimmed.starts_with('|') {
            // Code and tables keep their layout.
            out.push(line.to_string());
        } else if let Some(heading) = heading(trimmed) {
            out.push(paint(&inline(heading, style), "1", style));
        } else if let Some(item) = trimmed.strip_prefix("- ").or(trimmed.strip_prefix("* ")) {
            out.extend(wrap(&inline(item, style), style.width, "• ", "  "));
        } else if trimmed.is_empty() {
            out.push(String::new());
        } else {
            out.extend(wrap(&inline(trimmed, style), style.width, "", ""));
        }
    }
    out.join("\n")
}

/// A heading's text (`#` to `######`).
fn heading(line: &str) -> Option<&str> {
    let text = line.trim_start_matches('#');
    (text.len() < line.len() && line.len() - text.len() <= 6 && text.starts_with(' '))
        .then(|| text.trim())
}

/// `**bold**`, `_italic_` and `` `code` `` in one line.
fn inline(text: &str, style: Style) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (marker, code) = match rest {
            r if r.starts_with("**") => ("**", "1"),
            r if r.starts_with('`') => ("`", "36"),
            r if r.starts_with('_') && out.ends_with([' ', '('])
                || r.starts_with('_') && out.is_empty() =>
            {
                ("_", "3")
            }
            _ => ("", ""),
        };
        let closing = (!marker.is_empty())
            .then(|| rest[marker.len()..].find(marker))
            .flatten()
            .filter(|&end| end > 0);
        match closing {
            Some(end) => {
                let inner = &rest[marker.len()..marker.len() + end];
                out.push_str(&paint(inner, code, style));
                rest = &rest[2 * marker.len() + end..];
            }
            None => {
                let ch = rest.chars().next().unwrap_or(' ');
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }
    out
}

/// `text` in an ANSI style (`1` bold, `3` italic, `36` cyan) when colours are on.
fn paint(text: &str, code: &str, style: Style) -> String {
    if style.color {
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

/// Words filled into lines of at most `width` visible columns, the first
/// line starting with `first`, the others with `then`.
fn wrap(text: &str, width: usize, first: &str, then: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut visible = first.chars().count();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = visible_len(word);
        if !empty && visible + 1 + len > width {
            lines.push(std::mem::replace(&mut line, then.to_string()));
            visible = then.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            visible += 1;
        }
        line.push_str(word);
        visible += len;
        empty = false;
    }
    lines.push(line);
    lines
}

/// Columns a string takes, escape codes left out.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut escape = false;
    for c in s.chars() {
        match (escape, c) {
            (false, '\u{1b}') => escape = true,
            (true, 'm') => escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "## `create_task`\n\nCreate a new task (a to-do, ticket or piece of work) with optional assignee, due date, priority and tags.\n\n**Try:**\n- create a task to fix the login bug\n- _e.g._ `new task: write release notes`\n\n| a | b |\n|---|---|\n";

    #[test]
    fn piped_text_drops_the_markup_and_wraps() {
        let plain = render(
            HELP,
            Style {
                color: false,
                width: 40,
            },
        );
        assert!(
            !plain.contains("**") && !plain.contains("## ") && !plain.contains('`'),
            "{plain}"
        );
        assert!(!plain.contains('\u{1b}'));
        assert!(
            plain.contains("create_task\n") && plain.contains("• create a task"),
            "{plain}"
        );
        assert!(plain.lines().all(|l| l.chars().count() <= 40), "{plain}");
        assert!(plain.contains("| a | b |"), "tables keep their layout");
    }

    #[test]
    fn a_terminal_gets_bold_and_colour_within_its_width() {
        let styled = render(
            HELP,
            Style {
                color: true,
                width: 50,
            },
        );
        assert!(styled.contains("\u{1b}[1mTry:\u{1b}[0m"), "{styled}");
        assert!(
            styled.contains("\u{1b}[36mnew task: write release notes\u{1b}[0m"),
            "{styled}"
        );
        assert!(styled.lines().all(|l| visible_len(l) <= 50), "{styled}");
        assert_eq!(visible_len("\u{1b}[1mab\u{1b}[0m"), 2);
    }
}
