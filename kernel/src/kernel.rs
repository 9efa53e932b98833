//! The kernel's state and its answers to shell requests.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jupyter_protocol::{
    CommClose, CommInfoReply, CompleteReply, ExecuteInput, ExecuteReply, ExecuteRequest,
    ExecutionCount, HelpLink, HistoryReply, InputReply, InputRequest, InspectReply,
    IsCompleteReply, IsCompleteReplyStatus, JupyterMessage, JupyterMessageContent, KernelInfoReply,
    LanguageInfo, Media, MediaType, ReplyError, ReplyStatus, ShutdownReply, Status, UnknownMessage,
};
use jupyter_zmq_client::{KernelStdinConnection, RouterSendConnection};
use maestro_assistant::Assistant;
use serde_json::json;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::KernelError;
use crate::complete;
use crate::config::Config;
use crate::execute::WIND_DOWN;
use crate::history::History;
use crate::iopub::Iopub;
use crate::magics;
use crate::outputs::{Failure, Outputs};
use crate::wire::{self, Received};

/// The assistant, being built on another thread while the kernel already answers.
enum Loading {
    Pending(oneshot::Receiver<Result<Assistant, String>>),
    Ready(Assistant),
    Failed(String),
}

/// What the shell loop does after a request.
#[derive(PartialEq)]
enum Flow {
    Continue,
    /// An execute request failed with `stop_on_error`: abort what is queued.
    AbortQueued,
    Shutdown,
}

/// One kernel process's state.
pub struct Kernel {
    shell: RouterSendConnection,
    stdin: KernelStdinConnection,
    iopub: Iopub,
    /// Woken by `interrupt_request` on the control channel.
    pub(crate) interrupt: Arc<Notify>,
    pub(crate) history: History,
    pub(crate) config: Config,
    /// The assistant's conversation id (`%reset` starts a new one).
    pub(crate) conversation: String,
    assistant: Loading,
    execution_count: usize,
    /// One long-lived thread runs the turns, one after another (a thread per
    /// turn would leave each one's stack and heap arena behind).
    worker: std::sync::mpsc::Sender<Job>,
}

/// Work for the turn thread.
type Job = Box<dyn FnOnce() + Send>;

impl Kernel {
    /// A kernel replying on `shell`, whose assistant arrives through `assistant`.
    pub fn new(
        shell: RouterSendConnection,
        stdin: KernelStdinConnection,
        iopub: Iopub,
        interrupt: Arc<Notify>,
        assistant: oneshot::Receiver<Result<Assistant, String>>,
        actor: Option<String>,
    ) -> Result<Self, KernelError> {
        let (worker, jobs) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("maestro-turns".into())
            .spawn(move || {
                for job in jobs {
                    // A panic in one turn must not take the thread (and every
                    // later cell) with it; the cell sees its events stop.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .map_err(KernelError::Runtime)?;
        let mut kernel = Self {
            shell,
            stdin,
            iopub,
            interrupt,
            history: History::default(),
            config: Config::new(actor),
            conversation: String::new(),
            assistant: Loading::Pending(assistant),
            execution_count: 0,
            worker,
        };
        kernel.new_conversation();
        Ok(kernel)
    }

    /// Runs `job` on the turn thread.
    pub(crate) fn run_on_worker(&self, job: Job) {
        // The thread lives as long as the kernel (it survives panics); were it
        // gone, the job's channel closes and the cell reports it.
        let _ = self.worker.send(job);
    }

    /// Starts a fresh conversation.
    pub(crate) fn new_conversation(&mut self) {
        self.conversation = format!("kernel-{}", uuid::Uuid::new_v4());
    }

    /// Serves shell requests until a shutdown request or the socket closes.
    pub async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Received>) {
        while let Some(received) = queue.recv().await {
            match self.handle(received).await {
                Flow::Continue => {}
                Flow::Shutdown => break,
                Flow::AbortQueued => {
                    // Abort the cells queued behind the failed one (those the
                    // reader has taken off the socket), not later ones.
                    tokio::task::yield_now().await;
                    while let Ok(received) = queue.try_recv() {
                        if let Received::Message(m) = &received
                            && matches!(m.content, JupyterMessageContent::ExecuteRequest(_))
                        {
                            self.abort(m).await;
                        } else if self.handle(received).await == Flow::Shutdown {
                            return;
                        }
                    }
                }
            }
        }
    }

    async fn handle(&mut self, received: Received) -> Flow {
        let message = match received {
            Received::Message(m) => m,
            Received::Malformed(m, problem) => {
                eprintln!(
                    "maestro kernel: unreadable {}: {problem}",
                    m.header.msg_type
                );
                if m.header.msg_type.ends_with("_request") {
                    self.iopub.publish(Status::busy().as_child_of(&m));
                    self.reply(&m, error_reply(&m, "BadRequest", &problem))
                        .await;
                    self.iopub.publish(Status::idle().as_child_of(&m));
                }
                return Flow::Continue;
            }
            Received::Dropped(why) => {
                eprintln!("maestro kernel: {why}");
                return Flow::Continue;
            }
        };
        self.iopub.publish(Status::busy().as_child_of(&message));
        let flow = self.dispatch(&message).await;
        self.iopub.publish(Status::idle().as_child_of(&message));
        flow
    }

    async fn dispatch(&mut self, message: &JupyterMessage) -> Flow {
        let reply: JupyterMessageContent = match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => kernel_info().into(),
            JupyterMessageContent::ExecuteRequest(request) => {
                return self.execute(message, request).await;
            }
            JupyterMessageContent::CompleteRequest(r) => match self.ready().await {
                Ok(a) => {
                    let (matches, start, end) =
                        complete::complete(a.platform(), &r.code, r.cursor_pos);
                    CompleteReply {
                        matches,
                        cursor_start: start,
                        cursor_end: end,
                        ..Default::default()
                    }
                    .into()
                }
                Err(e) => error_reply(message, "StartupError", &e),
            },
            JupyterMessageContent::InspectRequest(r) => match self.ready().await {
                Ok(a) => {
                    let found = complete::inspect(a.platform(), &r.code, r.cursor_pos);
                    InspectReply {
                        found: found.is_some(),
                        data: found.map_or_else(Media::default, |text| {
                            Media::new(vec![
                                MediaType::Markdown(text.clone()),
                                MediaType::Plain(text),
                            ])
                        }),
                        ..Default::default()
                    }
                    .into()
                }
                Err(e) => error_reply(message, "StartupError", &e),
            },
            JupyterMessageContent::IsCompleteRequest(r) => match magics::completeness(&r.code) {
                "incomplete" => IsCompleteReply::incomplete(String::new()),
                "invalid" => IsCompleteReply::new(IsCompleteReplyStatus::Invalid, String::new()),
                _ => IsCompleteReply::complete(),
            }
            .into(),
            JupyterMessageContent::HistoryRequest(r) => {
                HistoryReply::new(self.history.answer(r)).into()
            }
            JupyterMessageContent::CommInfoRequest(_) => CommInfoReply {
                status: ReplyStatus::Ok,
                comms: HashMap::new(),
                error: None,
            }
            .into(),
            JupyterMessageContent::CommOpen(open) => {
                // No comm targets here: close it at once, as the protocol asks.
                self.iopub.publish(
                    CommClose {
                        comm_id: open.comm_id.clone(),
                        data: Default::default(),
                    }
                    .as_child_of(message),
                );
                return Flow::Continue;
            }
            JupyterMessageContent::CommMsg(_) | JupyterMessageContent::CommClose(_) => {
                return Flow::Continue;
            }
            JupyterMessageContent::ShutdownRequest(r) => {
                self.reply(message, shutdown_reply(r.restart)).await;
                return Flow::Shutdown;
            }
            _ if message.header.msg_type.ends_with("_request") => error_reply(
                message,
                "Unsupported",
                &format!(
                    "the maestro kernel does not handle {}",
                    message.header.msg_type
                ),
            ),
            _ => return Flow::Continue,
        };
        self.reply(message, reply).await;
        Flow::Continue
    }

    async fn reply(&mut self, parent: &JupyterMessage, content: JupyterMessageContent) {
        // Outputs first, then the reply that ends them.
        self.iopub.flush().await;
        if let Err(e) = self
            .shell
            .send(JupyterMessage::new(content, Some(parent)))
            .await
        {
            eprintln!("maestro kernel: could not reply on shell: {e}");
        }
    }

    async fn execute(&mut self, message: &JupyterMessage, request: &ExecuteRequest) -> Flow {
        let store = request.store_history && !request.silent;
        if store {
            self.execution_count += 1;
        }
        let count = self.execution_count;
        if !request.silent {
            self.iopub.publish(
                ExecuteInput {
                    code: request.code.clone(),
                    execution_count: ExecutionCount::new(count),
                }
                .as_child_of(message),
            );
        }
        let iopub = self.iopub.clone();
        let mut out = Outputs::new(&iopub, message, request.silent, count);
        // An interrupt anywhere in the cell ends it: the waits inside (a turn,
        // a prompt, %sleep) handle it themselves; this catches the rest
        // (the assistant still loading, between two turns).
        let interrupt = Arc::clone(&self.interrupt);
        let interrupted = interrupt.notified();
        tokio::pin!(interrupted);
        interrupted.as_mut().enable();
        let result = match magics::parse(&request.code) {
            Ok(cell) => {
                let finished = {
                    // The request's id names the cell's lines in the log.
                    let span = tracing::info_span!("cell", request = %message.header.msg_id, count);
                    let run = tracing::Instrument::instrument(
                        self.run_cell(cell, &mut out, request.allow_stdin),
                        span,
                    );
                    tokio::pin!(run);
                    let first = tokio::select! {
                        biased;
                        r = &mut run => Some(r),
                        _ = &mut interrupted => None,
                    };
                    // A turn winds down on its own (and says what it kept):
                    // give it that long before cutting it short.
                    match first {
                        Some(r) => Some(r),
                        None => tokio::time::timeout(WIND_DOWN + Duration::from_secs(1), run)
                            .await
                            .ok(),
                    }
                };
                finished.unwrap_or_else(|| {
                    Err(out.error(
                        "Interrupted",
                        "Interrupted by the user; the kernel is ready.",
                    ))
                })
            }
            Err(e) => Err(out.error("UnknownMagic", &e.0)),
        };
        if store {
            self.history
                .push(count, &request.code, std::mem::take(&mut out.text));
        }
        let (status, error) = match &result {
            Ok(()) => (ReplyStatus::Ok, None),
            Err(Failure { ename, evalue }) => (
                ReplyStatus::Error,
                Some(Box::new(ReplyError {
                    ename: ename.clone(),
                    evalue: evalue.clone(),
                    traceback: vec![format!("{ename}: {evalue}")],
                })),
            ),
        };
        let reply = ExecuteReply {
            status,
            execution_count: ExecutionCount::new(count),
            payload: Vec::new(),
            user_expressions: Some(HashMap::new()),
            error,
        };
        self.reply(message, reply.into()).await;
        if result.is_err() && request.stop_on_error && !request.silent {
            Flow::AbortQueued
        } else {
            Flow::Continue
        }
    }

    async fn abort(&mut self, message: &JupyterMessage) {
        self.iopub.publish(Status::busy().as_child_of(message));
        let reply = ExecuteReply {
            status: ReplyStatus::Aborted,
            execution_count: ExecutionCount::new(self.execution_count),
            user_expressions: Some(HashMap::new()),
            ..Default::default()
        };
        self.reply(message, reply.into()).await;
        self.iopub.publish(Status::idle().as_child_of(message));
    }

    /// The assistant, waiting for it if it is still being built.
    pub(crate) async fn ready(&mut self) -> Result<Assistant, String> {
        if let Loading::Pending(rx) = &mut self.assistant {
            self.assistant = match rx.await {
                Ok(Ok(a)) => Loading::Ready(a),
                Ok(Err(e)) => Loading::Failed(e),
                Err(_) => Loading::Failed("the assistant stopped while starting".into()),
            };
        }
        match &self.assistant {
            Loading::Ready(a) => Ok(a.clone()),
            Loading::Failed(e) => Err(format!(
                "Maestro could not start: {e}. Fix it and restart the kernel."
            )),
            Loading::Pending(_) => unreachable!("resolved above"),
        }
    }

    /// The assistant, or the cell's error saying why there is none.
    pub(crate) async fn assistant(&mut self, out: &mut Outputs<'_>) -> Result<Assistant, Failure> {
        self.ready()
            .await
            .map_err(|e| out.error("StartupError", &e))
    }

    /// Asks the user on stdin; an interrupt stops waiting.
    pub(crate) async fn input(
        &mut self,
        out: &mut Outputs<'_>,
        prompt: &str,
    ) -> Result<String, Failure> {
        let request = InputRequest {
            prompt: format!("{prompt} "),
            password: false,
        };
        // Answers to earlier, abandoned prompts must not answer this one.
        while let Ok(Ok(_)) =
            tokio::time::timeout(std::time::Duration::ZERO, wire::recv(&mut self.stdin)).await
        {
        }
        let prompt_message = out.child(request.into());
        let prompt_id = prompt_message.header.msg_id.clone();
        let sent = self.stdin.send(prompt_message).await;
        if let Err(e) = sent {
            return Err(out.error("StdinError", &format!("could not ask on stdin: {e}")));
        }
        let interrupt = Arc::clone(&self.interrupt);
        let interrupted = interrupt.notified();
        tokio::pin!(interrupted);
        interrupted.as_mut().enable();
        loop {
            tokio::select! {
                received = wire::recv(&mut self.stdin) => match received {
                    Ok(Received::Message(JupyterMessage { content: JupyterMessageContent::InputReply(InputReply { value, .. }), parent_header, .. }))
                        if parent_header.as_ref().is_none_or(|p| p.msg_id == prompt_id) => return Ok(value),
                    Ok(_) => continue,
                    Err(e) => return Err(out.error("StdinError", &format!("stdin closed: {e}"))),
                },
                _ = &mut interrupted => return Err(out.error("Interrupted", "Interrupted while waiting for an answer; nothing was changed.")),
            }
        }
    }
}

/// `kernel_info_reply`, the same on shell and control.
pub fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".into(),
        implementation: "maestro".into(),
        implementation_version: env!("CARGO_PKG_VERSION").into(),
        language_info: LanguageInfo {
            name: "maestro".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            mimetype: Some("text/plain".into()),
            file_extension: Some(".txt".into()),
            pygments_lexer: None,
            codemirror_mode: None,
            nbconvert_exporter: None,
        },
        banner: format!(
            "Maestro {} — ask in plain words (\"list my tasks\", \"create a task for Bob…\"). %help lists what I can do.",
            env!("CARGO_PKG_VERSION")
        ),
        help_links: vec![HelpLink {
            text: "Jupyter messaging protocol".into(),
            url: "https://jupyter-client.readthedocs.io/en/latest/messaging.html".into(),
        }],
        debugger: false,
        error: None,
    }
}

/// `shutdown_reply`.
pub fn shutdown_reply(restart: bool) -> JupyterMessageContent {
    ShutdownReply {
        restart,
        status: ReplyStatus::Ok,
        error: None,
    }
    .into()
}

/// An error reply of the request's own reply type.
pub fn error_reply(request: &JupyterMessage, ename: &str, evalue: &str) -> JupyterMessageContent {
    UnknownMessage {
        msg_type: request.header.msg_type.clone(),
        content: json!({}),
    }
    .reply(json!({"status": "error", "ename": ename, "evalue": evalue, "traceback": [evalue]}))
}
