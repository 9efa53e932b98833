//! Running one cell: magics here, requests through the assistant, each
//! assistant [`Event`] mapped to outputs as it arrives.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jupyter_protocol::{Media, MediaType};
use maestro_assistant::{Answer, Event, Status, TurnOptions, UsageReport, nlu};
use maestro_tools::{Display, Table};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::kernel::Kernel;
use crate::magics::{Cell, MAGICS, Magic};
use crate::outputs::{Failure, Outputs};

impl Kernel {
    /// Runs a parsed cell, showing its outputs.
    pub(crate) async fn run_cell(
        &mut self,
        cell: Cell,
        out: &mut Outputs<'_>,
        allow_stdin: bool,
    ) -> Result<(), Failure> {
        match cell {
            Cell::Empty => Ok(()),
            Cell::Request(text) => self.request(text, out, allow_stdin).await,
            Cell::Json(text) => {
                let (answer, _) = self.turn(&text, None, out, false, false).await?;
                out.json(serde_json::to_value(&answer).unwrap_or(Value::Null));
                if answer.failed {
                    return Err(out.error("ToolError", &answer.reply));
                }
                Ok(())
            }
            Cell::Magic(magic) => self.magic(magic, out).await,
        }
    }

    async fn magic(&mut self, magic: Magic, out: &mut Outputs<'_>) -> Result<(), Failure> {
        match magic {
            Magic::Help => {
                let assistant = self.assistant(out).await?;
                let help = assistant
                    .platform()
                    .call(None, "help", json!({}))
                    .map_err(|e| out.error("ToolError", &e.to_string()))?;
                out.markdown(&help.summary);
                let mut magics = String::from("## Magics\n\n");
                for (name, what) in MAGICS {
                    magics.push_str(&format!("- `{name}` — {what}\n"));
                }
                out.markdown(&magics);
            }
            Magic::Tools => {
                let assistant = self.assistant(out).await?;
                let mut table = Table::new(&["tool", "effect", "description"]);
                for tool in assistant.platform().registry().iter() {
                    let effect = serde_json::to_value(tool.effect()).unwrap_or(Value::Null);
                    table.rows.push(vec![
                        tool.name().to_string(),
                        effect.as_str().unwrap_or_default().to_string(),
                        tool.description().to_string(),
                    ]);
                }
                out.table(&table, None);
            }
            Magic::Reset => {
                self.new_conversation();
                out.stdout("Started a new conversation; earlier questions are forgotten.");
            }
            Magic::History(n) => {
                let lines: Vec<String> = self
                    .history
                    .tail(n.unwrap_or(usize::MAX))
                    .map(|(line, input)| format!("{line:>4}: {input}"))
                    .collect();
                out.stdout(&lines.join("\n"));
            }
            Magic::Config(None) => {
                let planner = self.assistant(out).await?.planner();
                out.stdout(&self.config.describe(&planner));
            }
            Magic::Usage => {
                let assistant = self.assistant(out).await?;
                let report = UsageReport::load(&assistant.platform().query(None), 20)
                    .map_err(|e| out.error("StoreError", &e.to_string()))?;
                out.stdout(&report.summary());
                if report.turns > 0 {
                    let data = serde_json::to_value(&report).ok();
                    out.table(&report.table(), data);
                }
            }
            Magic::Config(Some((key, value))) => {
                let done = self
                    .config
                    .set(&key, &value)
                    .map_err(|e| out.error("ConfigError", &e))?;
                out.stdout(&done);
            }
            Magic::Echo { text, stderr } => {
                if stderr {
                    out.stderr(&text);
                } else {
                    out.stdout(&text);
                }
            }
            Magic::Sleep(seconds) => self.sleep(seconds, out).await?,
            Magic::Parse(text) => {
                let assistant = self.assistant(out).await?;
                let options = TurnOptions {
                    actor: self.config.actor.clone(),
                    ..TurnOptions::default()
                };
                let parsed = nlu::parse(&assistant, &self.conversation, &text, &options)
                    .map_err(|e| out.error("ParseError", &e))?;
                out.stdout(&parsed.text());
            }
        }
        Ok(())
    }

    /// Waits with a progress bar that `update_display_data` moves along.
    async fn sleep(&mut self, seconds: f64, out: &mut Outputs<'_>) -> Result<(), Failure> {
        let id = format!("sleep-{}", uuid::Uuid::new_v4());
        let total = Duration::from_secs_f64(seconds);
        out.display_updatable(&id, progress(0.0, "sleeping"));
        let interrupt = Arc::clone(&self.interrupt);
        let interrupted = interrupt.notified();
        tokio::pin!(interrupted);
        interrupted.as_mut().enable();
        let start = tokio::time::Instant::now();
        let tick = Duration::from_millis(100);
        loop {
            let left = total.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(left.min(tick)) => {
                    let done = start.elapsed().as_secs_f64() / seconds.max(f64::EPSILON);
                    out.update(&id, progress(done.min(1.0), "sleeping"));
                }
                _ = &mut interrupted => {
                    out.update(&id, progress(start.elapsed().as_secs_f64() / seconds, "interrupted"));
                    return Err(out.error("Interrupted", "Interrupted by the user; the kernel is ready."));
                }
            }
        }
        out.update(&id, progress(1.0, "done"));
        Ok(())
    }

    /// A plain-language request; asks for confirmation on stdin when allowed.
    async fn request(
        &mut self,
        mut text: String,
        out: &mut Outputs<'_>,
        allow_stdin: bool,
    ) -> Result<(), Failure> {
        let stdin = allow_stdin && self.config.stdin;
        let mut answering = None;
        loop {
            let (_, question) = self.turn(&text, answering, out, true, stdin).await?;
            match question {
                Some(question) => {
                    text = self.input(out, &question.prompt).await?;
                    answering = question.confirmation;
                }
                None => return Ok(()),
            }
        }
    }

    /// Runs one turn, showing its events as they come when `show`; otherwise
    /// gathers them into the returned [`Answer`] (for `%%json`). With `ask`, a
    /// confirmation question is returned, to be asked on stdin, instead of
    /// shown. `answering` is the confirmation that `text` answers.
    async fn turn(
        &mut self,
        text: &str,
        answering: Option<String>,
        out: &mut Outputs<'_>,
        show: bool,
        ask: bool,
    ) -> Result<(Answer, Option<Question>), Failure> {
        // Listening from before the assistant loads, so that an interrupt
        // while it loads stops the request before it starts.
        let interrupt = Arc::clone(&self.interrupt);
        let interrupted = interrupt.notified();
        tokio::pin!(interrupted);
        interrupted.as_mut().enable();
        let assistant = self.assistant(out).await?;
        tokio::select! {
            biased;
            _ = &mut interrupted => {
                return Err(out.error("Interrupted", "Interrupted by the user before the request started; nothing ran."));
            }
            () = std::future::ready(()) => {}
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let options = TurnOptions {
            actor: self.config.actor.clone(),
            cancel: Some(Arc::clone(&cancel)),
            answering,
            ..Default::default()
        };
        let (session, text) = (self.conversation.clone(), text.to_string());
        let span = tracing::Span::current();
        self.run_on_worker(Box::new(move || {
            span.in_scope(|| {
                assistant.respond(&session, &text, &options, &|e| {
                    let _ = tx.send(e);
                });
            });
        }));
        let mut render = Render {
            show,
            ask,
            ..Render::default()
        };
        let mut answer = Answer::default();
        // Every turn ends with a reply or an error; silence means it died.
        let mut answered = false;
        loop {
            tokio::select! {
                event = rx.recv() => match event {
                    Some(event) => {
                        answered |= matches!(event, Event::Reply { .. } | Event::Error { .. });
                        if !show {
                            answer.record(&event);
                        }
                        render.event(event, out);
                    }
                    None if !answered => {
                        return Err(out.error(
                            "InternalError",
                            "The request stopped unexpectedly (see the kernel's log); nothing after that point ran.",
                        ));
                    }
                    None => {
                        render.show_displays(out);
                        break;
                    }
                },
                _ = &mut interrupted => {
                    cancel.store(true, Ordering::Relaxed);
                    let said = wind_down(&mut rx).await;
                    let message = match said {
                        Some(reply) => format!("Interrupted by the user. {reply}"),
                        None => "Interrupted by the user; steps not yet started did not run.".into(),
                    };
                    return Err(out.error("Interrupted", &message));
                }
            }
        }
        if let Some(failure) = render.failure {
            return Err(failure);
        }
        Ok((answer, render.question))
    }
}

/// A confirmation to ask on stdin.
struct Question {
    prompt: String,
    /// The pending confirmation's id, which the answer names.
    confirmation: Option<String>,
}

/// How long an interrupted turn may take to wind down (a search stops at its
/// next trial and keeps its best model) before the cell gives up waiting.
pub(crate) const WIND_DOWN: std::time::Duration = std::time::Duration::from_secs(5);

/// What an interrupted turn says as it winds down (e.g. which model version
/// it kept), if it ends within [`WIND_DOWN`].
async fn wind_down(rx: &mut mpsc::UnboundedReceiver<Event>) -> Option<String> {
    let mut said = Vec::new();
    let ended = tokio::time::timeout(WIND_DOWN, async {
        while let Some(event) = rx.recv().await {
            if let Event::Reply { text } = event {
                said.push(text);
            }
        }
    })
    .await;
    (ended.is_ok() && !said.is_empty()).then(|| said.join(" "))
}

/// Maps a turn's events to outputs.
#[derive(Default)]
struct Render {
    /// Show events (false for `%%json`, which shows the whole answer at the end).
    show: bool,
    /// A confirmation question is asked on stdin rather than shown.
    ask: bool,
    failed_action: bool,
    /// The last action waits for a yes: the id of its confirmation.
    confirming: Option<Option<String>>,
    data: Option<Value>,
    displays: Vec<Display>,
    question: Option<Question>,
    failure: Option<Failure>,
    /// The display id of this turn's progress bar, once shown.
    progress: Option<String>,
    /// A reply is being shown as it arrives.
    streaming: bool,
}

impl Render {
    fn event(&mut self, event: Event, out: &mut Outputs<'_>) {
        match event {
            Event::Started { .. } => {}
            Event::Progress { line, done, .. } if self.show => {
                let view = progress(done.unwrap_or(0.0).clamp(0.0, 1.0), &line);
                match &self.progress {
                    Some(id) => out.update(id, view),
                    None => {
                        let id = format!("progress-{}", uuid::Uuid::new_v4());
                        out.display_updatable(&id, view);
                        self.progress = Some(id);
                    }
                }
            }
            Event::Progress { .. } => {}
            Event::Action(a) => {
                self.failed_action = a.status == Status::Error;
                self.confirming = (a.status == Status::NeedsConfirmation).then_some(a.confirmation);
                self.data = a.result;
            }
            Event::Display(_) | Event::Reply { .. } | Event::Delta { .. } if !self.show => {}
            Event::Delta { text } => {
                self.streaming = true;
                out.stdout_part(&text);
            }
            Event::Reply { .. } if std::mem::take(&mut self.streaming) => {
                out.stdout_part("\n");
                self.show_displays(out);
            }
            // Shown after the reply that sums them up, as the CLI does.
            Event::Display(d) => self.displays.push(d),
            Event::Reply { text } if self.failed_action => {
                let failure = out.error("ToolError", &text);
                self.failure.get_or_insert(failure);
                self.failed_action = false;
            }
            Event::Reply { text } if self.confirming.is_some() && self.ask => {
                self.question = Some(Question {
                    prompt: text,
                    confirmation: self.confirming.take().flatten(),
                })
            }
            Event::Reply { text } => {
                let repeats = matches!(self.displays.last(), Some(Display::Markdown { text: m }) if *m == text);
                if !repeats {
                    out.stdout(&text);
                }
                self.show_displays(out);
            }
            Event::Error { message } => {
                let failure = out.error("RequestError", &message);
                self.failure.get_or_insert(failure);
            }
        }
    }

    fn show_displays(&mut self, out: &mut Outputs<'_>) {
        for display in self.displays.drain(..) {
            match display {
                Display::Table(t) => out.table(&t, self.data.take()),
                Display::Markdown { text } => out.markdown(&text),
                Display::Chart { title, png } => out.image(&title, png),
            }
        }
    }
}

/// A progress bar as text and HTML.
fn progress(done: f64, label: &str) -> Media {
    let filled = (done * 30.0).round() as usize;
    let bar = format!(
        "[{}{}]",
        "#".repeat(filled),
        ".".repeat(30 - filled.min(30))
    );
    let percent = (done * 100.0).round();
    Media::new(vec![
        MediaType::Plain(format!("{bar} {percent:.0}% {label}")),
        MediaType::Html(format!(
            "<progress value=\"{percent:.0}\" max=\"100\"></progress> {percent:.0}% {label}"
        )),
    ])
}
