//! What one cell shows: streams, rich displays, its result and its error, all
//! as IOPub messages that are children of the `execute_request`.

use jupyter_protocol::{
    DisplayData, ErrorOutput, ExecuteResult, ExecutionCount, JupyterMessage, JupyterMessageContent,
    Media, MediaType, StreamContent, Transient, UpdateDisplayData,
};
use maestro_tools::Table;
use serde_json::Value;

use crate::iopub::Iopub;

/// Rows drawn of a table (as pandas caps `max_rows`); the data keeps them all.
pub const MAX_ROWS: usize = 50;

/// The media type of a tool's result beside its table, for programs
/// (front ends show the table).
pub const RESULT_MEDIA_TYPE: &str = "application/vnd.maestro.result+json";

/// A cell that failed: its error has been shown.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The error's name (`ToolError`, `RequestError`, `UnknownMagic`, `Interrupted`).
    pub ename: String,
    /// What went wrong and what to do.
    pub evalue: String,
}

/// The outputs of the cell being run.
pub struct Outputs<'a> {
    iopub: &'a Iopub,
    parent: &'a JupyterMessage,
    silent: bool,
    count: ExecutionCount,
    result_shown: bool,
    /// The cell's output as plain text, kept in the history.
    pub text: String,
}

impl<'a> Outputs<'a> {
    /// Outputs for `parent`; a silent request publishes none.
    pub fn new(iopub: &'a Iopub, parent: &'a JupyterMessage, silent: bool, count: usize) -> Self {
        Self {
            iopub,
            parent,
            silent,
            count: ExecutionCount::new(count),
            result_shown: false,
            text: String::new(),
        }
    }

    /// A message in reply to the cell's request (for other channels, like stdin).
    pub fn child(&self, content: JupyterMessageContent) -> JupyterMessage {
        JupyterMessage::new(content, Some(self.parent))
    }

    fn send(&self, content: impl Into<JupyterMessageContent>) {
        if !self.silent {
            self.iopub.publish(self.child(content.into()));
        }
    }

    /// Text on stdout (a newline is added).
    pub fn stdout(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
        self.send(StreamContent::stdout(&format!("{text}\n")));
    }

    /// Part of a line on stdout, as it arrives (no newline added).
    pub fn stdout_part(&mut self, text: &str) {
        self.text.push_str(text);
        self.send(StreamContent::stdout(text));
    }

    /// Text on stderr (a newline is added).
    pub fn stderr(&mut self, text: &str) {
        self.send(StreamContent::stderr(&format!("{text}\n")));
    }

    /// Markdown, shown as `display_data`.
    pub fn markdown(&mut self, text: &str) {
        self.send(DisplayData::new(Media::new(vec![
            MediaType::Markdown(text.to_string()),
            MediaType::Plain(text.to_string()),
        ])));
    }

    /// A chart, as `image/png` with its title as text.
    pub fn image(&mut self, title: &str, png_base64: String) {
        self.send(DisplayData::new(Media::new(vec![
            MediaType::Png(png_base64),
            MediaType::Plain(format!("[chart: {title}]")),
        ])));
    }

    /// A table: the cell's `execute_result` if it is the first, else `display_data`.
    /// At most [`MAX_ROWS`] rows are drawn; `data` (the tool's whole result)
    /// rides along as [`RESULT_MEDIA_TYPE`].
    pub fn table(&mut self, table: &Table, data: Option<Value>) {
        let (shown, note) = if table.rows.is_empty() {
            (table.clone(), "No rows.".to_string())
        } else if table.rows.len() > MAX_ROWS {
            let head = Table {
                columns: table.columns.clone(),
                rows: table.rows[..MAX_ROWS].to_vec(),
            };
            let note = format!(
                "Showing the first {MAX_ROWS} of {} rows; narrow the request, or use %%json for all of them.",
                table.rows.len()
            );
            (head, note)
        } else {
            (table.clone(), String::new())
        };
        let with_note = |drawn: String, styled: String| {
            if note.is_empty() {
                drawn
            } else {
                format!("{drawn}\n{styled}")
            }
        };
        let mut media = vec![
            MediaType::Plain(with_note(shown.to_text(), note.clone())),
            MediaType::Markdown(with_note(shown.to_markdown(), format!("_{note}_"))),
            MediaType::Html(with_note(
                shown.to_html(),
                format!("<p><em>{note}</em></p>"),
            )),
        ];
        // The result for programs, under a type of its own: as plain
        // `application/json`, JupyterLab's JSON viewer would outrank the
        // HTML table and show a collapsed tree (`%%json` asks for JSON).
        if let Some(json) = data.filter(|d| !d.is_null()) {
            media.push(MediaType::Other((RESULT_MEDIA_TYPE.into(), json)));
        }
        self.text.push_str(&shown.to_text());
        self.result_or_display(Media::new(media));
    }

    /// A JSON value with its pretty text.
    pub fn json(&mut self, value: Value) {
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        let media = vec![MediaType::Plain(pretty.clone()), MediaType::Json(value)];
        self.text.push_str(&pretty);
        self.result_or_display(Media::new(media));
    }

    fn result_or_display(&mut self, data: Media) {
        if self.result_shown {
            self.send(DisplayData::new(data));
        } else {
            self.result_shown = true;
            let mut result = ExecuteResult::new(self.count, data);
            // `{}`, not `null`: frontends validate it as an object.
            result.transient = Some(Transient::default());
            self.send(result);
        }
    }

    /// A display that later [`Outputs::update`]s replace (progress bars).
    pub fn display_updatable(&mut self, id: &str, data: Media) {
        let mut display = DisplayData::new(data);
        display.transient = Some(Transient {
            display_id: Some(id.to_string()),
        });
        self.send(display);
    }

    /// Replaces the display shown with `id`.
    pub fn update(&mut self, id: &str, data: Media) {
        self.send(UpdateDisplayData::new(data, id));
    }

    /// Shows an error and returns it (the cell's reply carries the first).
    pub fn error(&mut self, ename: &str, evalue: &str) -> Failure {
        self.send(ErrorOutput {
            ename: ename.to_string(),
            evalue: evalue.to_string(),
            traceback: vec![format!("\u{1b}[0;31m{ename}\u{1b}[0m: {evalue}")],
        });
        Failure {
            ename: ename.to_string(),
            evalue: evalue.to_string(),
        }
    }
}
