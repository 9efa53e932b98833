//! The console's HTML: the page around every view and the pieces views
//! share (tool outputs, Markdown, forms, histograms). Built with maud, which
//! escapes every value it is given; raw HTML enters only from [`markdown`]
//! (which turns HTML in the text into text) and from tables' own escaping.

use maestro_tools::{Display, ToolOutput};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use pulldown_cmark::{Alignment, CowStr, Event, Options, Parser, Tag};

use super::Viewer;

/// The site's sections: path and label, in the order the menu shows them.
const SECTIONS: [(&str, &str); 6] = [
    ("/", "Chat"),
    ("/tasks", "Tasks"),
    ("/people", "People"),
    ("/data", "Data"),
    ("/models", "Models"),
    ("/activity", "Activity"),
];

/// A whole page: the menu (for a signed-in viewer), the title and `body`.
/// `section` is the menu entry the page belongs to.
pub fn page(viewer: Option<&Viewer>, section: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Maestro" }
                link rel="icon" type="image/svg+xml" href="/console/icon.svg";
                link rel="stylesheet" href="/console/console.css";
                script src="/console/console.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                @if let Some(viewer) = viewer {
                    header {
                        nav aria-label="Sections" {
                            @for (path, label) in SECTIONS {
                                @if path == section {
                                    a href=(path) aria-current="page" { (label) }
                                } @else {
                                    a href=(path) { (label) }
                                }
                            }
                        }
                        div.who {
                            span { (viewer.caller.0.name) " · " (viewer.caller.workspace()) " · " (viewer.caller.0.scope.as_str()) }
                            form method="post" action="/logout" {
                                (csrf(viewer))
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    @if let Some(text) = viewer.and_then(|v| v.flash.as_deref()) { (notice(text, false)) }
                    (body)
                }
            }
        }
    }
}

/// The hidden field that proves a form came from this session's pages.
pub fn csrf(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.session.csrf); }
}

/// A tool's answer: its summary and everything it shows.
pub fn output(out: &ToolOutput) -> Markup {
    html! {
        p.summary { (out.summary) }
        @for d in &out.displays { (display(d)) }
    }
}

/// A table, Markdown or a chart.
pub fn display(d: &Display) -> Markup {
    match d {
        Display::Table(t) => html! { div.scroll { (PreEscaped(t.to_html())) } },
        Display::Markdown { text } => markdown(text),
        Display::Chart { title, png } => html! {
            figure {
                img src=(format!("data:image/png;base64,{png}")) alt=(title);
                figcaption { (title) }
            }
        },
    }
}

/// Markdown as HTML. HTML inside the text shows as text, and a link goes
/// only to the web, mail or this site.
pub fn markdown(text: &str) -> Markup {
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: safe_link(dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image { .. }) | Event::End(pulldown_cmark::TagEnd::Image) => {
                Event::Text(CowStr::Borrowed(""))
            }
            // Alignment would be an inline style, which the policy forbids.
            Event::Start(Tag::Table(columns)) => {
                Event::Start(Tag::Table(vec![Alignment::None; columns.len()]))
            }
            other => other,
        },
    );
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    html! { div.markdown { (PreEscaped(out)) } }
}

/// `url` when it is http(s), mail or a path on this site; else `#`.
fn safe_link(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.to_ascii_lowercase();
    let safe = ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || (lower.starts_with('/') && !lower.starts_with("//") && !lower.starts_with("/\\"));
    if safe { url } else { CowStr::Borrowed("#") }
}

/// A histogram as an inline SVG of `counts` bars (no script, no style).
pub fn histogram(label: &str, min: f64, max: f64, counts: &[usize]) -> Markup {
    const W: f64 = 240.0;
    const H: f64 = 60.0;
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar = W / counts.len().max(1) as f64;
    html! {
        figure.histogram {
            svg role="img" aria-label=(format!("Histogram of {label}")) viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) {
                @for (i, &c) in counts.iter().enumerate() {
                    @let h = H * c as f64 / top;
                    rect x=(format!("{:.1}", i as f64 * bar + 0.5)) y=(format!("{:.1}", H - h)) width=(format!("{:.1}", (bar - 1.0).max(0.5))) height=(format!("{h:.1}")) {
                        title { (c) }
                    }
                }
            }
            figcaption { (number(min)) " … " (number(max)) }
        }
    }
}

/// A number as people read it: integers plain, others to at most three decimals.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        let text = format!("{x:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A `<select>` named `name` offering `options`, `chosen` selected; `blank`
/// labels an empty first choice.
pub fn select(name: &str, options: &[String], chosen: Option<&str>, blank: Option<&str>) -> Markup {
    html! {
        select name=(name) id=(name) {
            @if let Some(blank) = blank { option value="" { (blank) } }
            @for o in options {
                option value=(o) selected[chosen == Some(o.as_str())] { (o) }
            }
        }
    }
}

/// A message that something was done or went wrong.
pub fn notice(text: &str, error: bool) -> Markup {
    html! {
        @if error { p.notice.error role="alert" { (text) } }
        @else { p.notice role="status" { (text) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_shows_html_as_text_and_drops_unsafe_links() {
        let out = markdown(
            "**bold** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://a.b) [z](/\\evil.com)\n\n| a | b |\n|--:|:-:|\n| 1 | 2 |\n",
        )
        .into_string();
        assert!(!out.contains("style="), "no inline styles: {out}");
        assert!(!out.contains("evil.com\""), "{out}");
        assert!(out.contains("<strong>bold</strong>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("href=\"#\""), "{out}");
        assert!(out.contains("href=\"https://a.b\""), "{out}");
    }

    #[test]
    fn a_histogram_has_one_bar_per_bin_scaled_to_the_tallest() {
        let svg = histogram("age", 0.0, 10.0, &[1, 4, 2]).into_string();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("height=\"60.0\""), "{svg}");
        assert!(svg.contains("height=\"15.0\""), "{svg}");
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.81234), "0.812");
        assert_eq!(number(4.3), "4.3");
        assert_eq!(number(0.99996), "1");
        assert_eq!(number(1234.56), "1234.6");
    }
}
