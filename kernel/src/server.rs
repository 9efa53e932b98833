//! The sockets and their loops: heartbeat, control, a shell reader feeding
//! the shell queue, and IOPub. One current-thread runtime; assistant turns
//! run on the kernel's one worker thread.

use std::path::Path;
use std::sync::Arc;

use jupyter_protocol::{
    ConnectionInfo, InterruptReply, JupyterMessage, JupyterMessageContent, Status,
};
use jupyter_zmq_client::{
    KernelControlConnection, RouterRecvConnection, create_kernel_control_connection,
    create_kernel_heartbeat_connection, create_kernel_iopub_xpub_connection,
    create_kernel_shell_connection, create_kernel_stdin_connection,
};
use maestro_assistant::Assistant;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::KernelError;
use crate::iopub::Iopub;
use crate::kernel::{Kernel, error_reply, kernel_info, shutdown_reply};
use crate::wire::{self, Received};

/// Builds the assistant (on its own thread, so the kernel answers at once).
pub type Loader = Box<dyn FnOnce() -> Result<Assistant, String> + Send>;

/// Serves the connection file's sockets until a shutdown request.
pub fn run(connection_file: &Path, load: Loader, actor: Option<String>) -> Result<(), KernelError> {
    let text = std::fs::read_to_string(connection_file)
        .map_err(|e| KernelError::ConnectionFile(connection_file.into(), e.to_string()))?;
    let info: ConnectionInfo = serde_json::from_str(&text)
        .map_err(|e| KernelError::ConnectionFile(connection_file.into(), e.to_string()))?;
    if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
        return Err(KernelError::ConnectionFile(
            connection_file.into(),
            format!(
                "signature scheme {} is not supported; use hmac-sha256",
                info.signature_scheme
            ),
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(KernelError::Runtime)?;
    runtime.block_on(serve(info, load, actor))
}

async fn serve(
    info: ConnectionInfo,
    load: Loader,
    actor: Option<String>,
) -> Result<(), KernelError> {
    let session = uuid::Uuid::new_v4().to_string();
    let (assistant_tx, assistant_rx) = oneshot::channel();
    std::thread::spawn(move || {
        let _ = assistant_tx.send(load());
    });

    let mut heartbeat = create_kernel_heartbeat_connection(&info).await?;
    let (shell_out, shell_in) = create_kernel_shell_connection(&info, &session)
        .await?
        .split();
    let control = create_kernel_control_connection(&info, &session).await?;
    let stdin = create_kernel_stdin_connection(&info, &session).await?;
    let iopub = Iopub::spawn(create_kernel_iopub_xpub_connection(&info, &session).await?);
    iopub.publish(Status::starting().into());

    tokio::spawn(async move {
        use zeromq::{SocketRecv, SocketSend};
        // Echo each ping back unchanged, as the protocol asks; a peer that
        // drops or misbehaves must not stop the heartbeat for the others.
        loop {
            match heartbeat.socket.recv().await {
                Ok(ping) => {
                    let _ = heartbeat.socket.send(ping).await;
                }
                Err(zeromq::ZmqError::NoMessage) => break,
                Err(_) => continue,
            }
        }
    });
    let interrupt = Arc::new(Notify::new());
    let control = tokio::spawn(control_loop(control, iopub.clone(), Arc::clone(&interrupt)));
    let (queue_tx, queue_rx) = mpsc::unbounded_channel();
    tokio::spawn(read_shell(shell_in, queue_tx));

    let kernel = Kernel::new(
        shell_out,
        stdin,
        iopub.clone(),
        interrupt,
        assistant_rx,
        actor,
    )?;
    tokio::select! {
        _ = kernel.run(queue_rx) => {}
        _ = control => {}
    }
    iopub.flush().await;
    Ok(())
}

/// Moves shell requests into the queue as they arrive, so that the queue can
/// be seen (and aborted) while a cell runs.
async fn read_shell(mut shell: RouterRecvConnection, queue: mpsc::UnboundedSender<Received>) {
    while let Ok(received) = wire::recv(&mut shell).await {
        if queue.send(received).is_err() {
            break;
        }
    }
}

/// Answers control requests, even while a cell runs; returns on shutdown.
async fn control_loop(mut control: KernelControlConnection, iopub: Iopub, interrupt: Arc<Notify>) {
    loop {
        let message = match wire::recv(&mut control).await {
            Ok(Received::Message(m)) => m,
            Ok(Received::Malformed(m, problem)) => {
                eprintln!(
                    "maestro kernel: unreadable {}: {problem}",
                    m.header.msg_type
                );
                if m.header.msg_type.ends_with("_request") {
                    iopub.publish(Status::busy().as_child_of(&m));
                    let reply =
                        JupyterMessage::new(error_reply(&m, "BadRequest", &problem), Some(&m));
                    let _ = control.send(reply).await;
                    iopub.publish(Status::idle().as_child_of(&m));
                }
                continue;
            }
            Ok(Received::Dropped(why)) => {
                eprintln!("maestro kernel: {why}");
                continue;
            }
            Err(_) => return,
        };
        iopub.publish(Status::busy().as_child_of(&message));
        let (reply, stop): (JupyterMessageContent, bool) = match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => (kernel_info().into(), false),
            JupyterMessageContent::InterruptRequest(_) => {
                interrupt.notify_waiters();
                (InterruptReply::new().into(), false)
            }
            JupyterMessageContent::ShutdownRequest(r) => (shutdown_reply(r.restart), true),
            _ => (
                error_reply(
                    &message,
                    "Unsupported",
                    &format!(
                        "the maestro kernel does not handle {} on control",
                        message.header.msg_type
                    ),
                ),
                false,
            ),
        };
        iopub.flush().await;
        if let Err(e) = control
            .send(JupyterMessage::new(reply, Some(&message)))
            .await
        {
            eprintln!("maestro kernel: could not reply on control: {e}");
        }
        iopub.publish(Status::idle().as_child_of(&message));
        if stop {
            return;
        }
    }
}
