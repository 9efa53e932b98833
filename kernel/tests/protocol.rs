//! The kernel over real ZeroMQ sockets, driven by `jupyter-zmq-client`'s
//! client side: signing, round trips, interrupt and shutdown.

use std::net::{IpAddr, Ipv4Addr};
use std::thread::JoinHandle;
use std::time::Duration;

use jupyter_protocol::{
    ConnectionInfo, ExecuteRequest, InterruptRequest, JupyterMessage, JupyterMessageContent,
    KernelInfoRequest, ReplyStatus, ShutdownRequest, Transport,
};
use jupyter_zmq_client::{
    ClientIoPubConnection, ClientShellConnection, create_client_control_connection,
    create_client_iopub_connection, create_client_shell_connection_with_identity, peek_ports,
    peer_identity_for_session, wait_for_iopub_welcome,
};
use maestro_assistant::{Assistant, LocalPlanner};
use maestro_tools::{Clock, Platform, import};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(20);

struct Running {
    info: ConnectionInfo,
    kernel: JoinHandle<Result<(), maestro_kernel::KernelError>>,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    start_with(true).await
}

/// A kernel over an in-memory workspace, with the demo's tasks and people when `demo`.
async fn start_with(demo: bool) -> Running {
    let ports = peek_ports(IpAddr::V4(Ipv4Addr::LOCALHOST), 5)
        .await
        .unwrap();
    let info = ConnectionInfo {
        transport: Transport::TCP,
        ip: "127.0.0.1".into(),
        shell_port: ports[0],
        iopub_port: ports[1],
        stdin_port: ports[2],
        control_port: ports[3],
        hb_port: ports[4],
        signature_scheme: "hmac-sha256".into(),
        key: uuid::Uuid::new_v4().to_string(),
        kernel_name: Some("maestro".into()),
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kernel.json");
    std::fs::write(&file, serde_json::to_vec(&info).unwrap()).unwrap();
    let kernel = std::thread::spawn(move || {
        let load: maestro_kernel::Loader = Box::new(move || {
            let platform = Platform::in_memory(Clock::System).map_err(|e| e.to_string())?;
            if demo {
                import::load_demo(&platform).map_err(|e| e.to_string())?;
            }
            let planner = LocalPlanner::new(platform.registry()).map_err(|e| e.to_string())?;
            Ok(Assistant::new(platform, Box::new(planner)))
        });
        maestro_kernel::run(&file, load, None)
    });
    Running {
        info,
        kernel,
        _dir: dir,
    }
}

struct Client {
    shell: ClientShellConnection,
    iopub: ClientIoPubConnection,
}

async fn connect(info: &ConnectionInfo) -> Client {
    let session = uuid::Uuid::new_v4().to_string();
    let identity = peer_identity_for_session(&session).unwrap();
    let shell = create_client_shell_connection_with_identity(info, &session, identity)
        .await
        .unwrap();
    let mut iopub = create_client_iopub_connection(info, "", &session)
        .await
        .unwrap();
    wait_for_iopub_welcome(&mut iopub, Duration::from_secs(5))
        .await
        .unwrap();
    Client { shell, iopub }
}

impl Client {
    /// Sends a request and returns its reply with the iopub messages up to idle.
    async fn request(
        &mut self,
        content: JupyterMessageContent,
    ) -> (JupyterMessage, Vec<JupyterMessage>) {
        let request = JupyterMessage::new(content, None);
        let id = request.header.msg_id.clone();
        self.shell.send(request).await.unwrap();
        let reply = timeout(WAIT, self.shell.read()).await.unwrap().unwrap();
        assert_eq!(reply.parent_header.as_ref().unwrap().msg_id, id);
        (reply, self.outputs(&id).await)
    }

    async fn outputs(&mut self, id: &str) -> Vec<JupyterMessage> {
        let mut outputs = Vec::new();
        loop {
            let msg = timeout(WAIT, self.iopub.read()).await.unwrap().unwrap();
            if msg.parent_header.as_ref().map(|h| h.msg_id.as_str()) != Some(id) {
                continue;
            }
            if let JupyterMessageContent::Status(s) = &msg.content
                && s.execution_state.as_str() == "idle"
            {
                return outputs;
            }
            outputs.push(msg);
        }
    }
}

fn execute(code: &str) -> JupyterMessageContent {
    ExecuteRequest::new(code.into()).into()
}

fn stdout(outputs: &[JupyterMessage]) -> String {
    outputs
        .iter()
        .filter_map(|m| match &m.content {
            JupyterMessageContent::StreamContent(s) => Some(s.text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_request_round_trips_with_busy_input_output_and_idle() {
    let running = start().await;
    let mut client = connect(&running.info).await;
    let (reply, _) = client.request(KernelInfoRequest {}.into()).await;
    match reply.content {
        JupyterMessageContent::KernelInfoReply(info) => {
            assert_eq!(info.language_info.name, "maestro");
            assert_eq!(info.protocol_version, "5.3");
        }
        other => panic!("not a kernel_info_reply: {other:?}"),
    }
    let (reply, outputs) = client.request(execute("%echo hello")).await;
    let JupyterMessageContent::ExecuteReply(reply) = reply.content else {
        panic!("not an execute_reply")
    };
    assert_eq!(
        (reply.status, reply.execution_count.value()),
        (ReplyStatus::Ok, 1)
    );
    let kinds: Vec<&str> = outputs.iter().map(|m| m.header.msg_type.as_str()).collect();
    assert_eq!(kinds, ["status", "execute_input", "stream"]);
    assert_eq!(stdout(&outputs), "hello\n");

    let (_, outputs) = client.request(execute("what is Alice working on?")).await;
    let result = outputs
        .iter()
        .find_map(|m| match &m.content {
            JupyterMessageContent::ExecuteResult(r) => Some(serde_json::to_value(&r.data).unwrap()),
            _ => None,
        })
        .expect("a list answers with an execute_result");
    // JupyterLab shows the richest type it knows: the table, not a JSON tree.
    assert!(
        result["text/html"].as_str().unwrap().contains("<table"),
        "{result}"
    );
    assert!(result.get("application/json").is_none(), "{result}");
    assert!(
        result["application/vnd.maestro.result+json"].is_array(),
        "{result}"
    );

    let (_, outputs) = client.request(execute("%parse delete task 4")).await;
    let shown = stdout(&outputs);
    assert!(
        shown.contains("task 4") && shown.contains("task_ref"),
        "{shown}"
    );
    assert!(
        shown.contains("delete_task {\"id\":4} (needs_confirmation)"),
        "{shown}"
    );
    let (_, outputs) = client.request(execute("yes")).await;
    assert!(
        !stdout(&outputs).contains("Deleted"),
        "%parse ran nothing and left no question to answer"
    );
}

#[tokio::test]
async fn an_empty_list_is_still_an_execute_result() {
    let running = start_with(false).await;
    let mut client = connect(&running.info).await;
    let (_, outputs) = client.request(execute("list tasks")).await;
    let result = outputs
        .iter()
        .find_map(|m| match &m.content {
            JupyterMessageContent::ExecuteResult(r) => Some(r),
            _ => None,
        })
        .expect("a read that returns a list answers with an execute_result, even when empty");
    let text = serde_json::to_value(&result.data).unwrap()["text/plain"].clone();
    assert!(text.as_str().unwrap().contains("No rows"), "{text}");
}

#[tokio::test]
async fn a_message_signed_with_the_wrong_key_is_dropped() {
    let running = start().await;
    let mut forged_info = running.info.clone();
    forged_info.key = "not-the-key".into();
    let session = uuid::Uuid::new_v4().to_string();
    let mut forger = create_client_shell_connection_with_identity(
        &forged_info,
        &session,
        peer_identity_for_session(&session).unwrap(),
    )
    .await
    .unwrap();
    forger
        .send(JupyterMessage::new(execute("%echo forged"), None))
        .await
        .unwrap();
    assert!(
        timeout(Duration::from_millis(500), forger.read())
            .await
            .is_err(),
        "the kernel answered a forged request"
    );
    let mut client = connect(&running.info).await;
    let (reply, outputs) = client.request(execute("%echo genuine")).await;
    let JupyterMessageContent::ExecuteReply(reply) = reply.content else {
        panic!("not an execute_reply")
    };
    assert_eq!(
        reply.execution_count.value(),
        1,
        "the forged request must not have run"
    );
    assert_eq!(stdout(&outputs), "genuine\n");
}

#[tokio::test]
async fn an_interrupt_stops_a_long_cell_and_a_shutdown_ends_the_kernel() {
    let running = start().await;
    let mut client = connect(&running.info).await;
    let session = uuid::Uuid::new_v4().to_string();
    let mut control = create_client_control_connection(&running.info, &session)
        .await
        .unwrap();

    let sleep = JupyterMessage::new(execute("%sleep 60"), None);
    client.shell.send(sleep).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    control
        .send(JupyterMessage::new(InterruptRequest {}, None))
        .await
        .unwrap();
    let answer = timeout(WAIT, control.read()).await.unwrap().unwrap();
    assert_eq!(answer.header.msg_type, "interrupt_reply");
    let reply = timeout(WAIT, client.shell.read()).await.unwrap().unwrap();
    match reply.content {
        JupyterMessageContent::ExecuteReply(r) => {
            assert_eq!(r.status, ReplyStatus::Error);
            assert_eq!(r.error.unwrap().ename, "Interrupted");
        }
        other => panic!("not an execute_reply: {other:?}"),
    }
    let (_, outputs) = client.request(execute("%echo still here")).await;
    assert_eq!(stdout(&outputs), "still here\n");

    control
        .send(JupyterMessage::new(
            ShutdownRequest { restart: false },
            None,
        ))
        .await
        .unwrap();
    let reply = timeout(WAIT, control.read()).await.unwrap().unwrap();
    assert_eq!(reply.header.msg_type, "shutdown_reply");
    let deadline = std::time::Instant::now() + WAIT;
    while !running.kernel.is_finished() {
        assert!(
            std::time::Instant::now() < deadline,
            "the kernel did not stop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.kernel.join().unwrap().unwrap();
}
