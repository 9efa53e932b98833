//! Reading signed messages off a kernel socket. The HMAC check is
//! `jupyter-zmq-client`'s; decoding is ours so that a request a client sends
//! with optional fields left out (as `jupyter_client` does for `history`) is
//! still understood, and one that cannot be read is answered, not dropped.

use jupyter_protocol::{Header, JupyterMessage, JupyterMessageContent, UnknownMessage};
use jupyter_zmq_client::{Connection, RawMessage};
use serde_json::{Value, json};

/// What came in on a socket.
pub enum Received {
    /// A signed, well-formed message.
    Message(JupyterMessage),
    /// Signed, but its content does not fit its type; answer it with an error.
    Malformed(JupyterMessage, String),
    /// Badly signed (or unsigned when the connection has a key), or not a
    /// Jupyter message: never acted on.
    Dropped(String),
}

/// Reads the next message; `Err` only when the socket itself is gone.
pub async fn recv<S: zeromq::SocketRecv>(
    conn: &mut Connection<S>,
) -> Result<Received, zeromq::ZmqError> {
    let multipart = conn.socket.recv().await?;
    Ok(read(multipart, &conn.mac))
}

/// Checks and decodes one multipart message with the connection's key.
fn read(multipart: zeromq::ZmqMessage, mac: &Option<ring::hmac::Key>) -> Received {
    match RawMessage::from_multipart(multipart, mac) {
        Ok(raw) => decode(raw),
        Err(e) => Received::Dropped(format!("rejected a message ({e}); it was not executed")),
    }
}

fn decode(raw: RawMessage) -> Received {
    let header: Header = match serde_json::from_slice(&raw.jparts[0]) {
        Ok(h) => h,
        Err(e) => return Received::Dropped(format!("unreadable message header: {e}")),
    };
    let content: Value = serde_json::from_slice(&raw.jparts[3]).unwrap_or(Value::Null);
    let parsed = JupyterMessageContent::from_type_and_content(
        &header.msg_type,
        with_defaults(&header.msg_type, content.clone()),
    );
    let (content, problem) = match parsed {
        Ok(c) => (c, None),
        Err(e) => (
            JupyterMessageContent::UnknownMessage(UnknownMessage {
                msg_type: header.msg_type.clone(),
                content,
            }),
            Some(e.to_string()),
        ),
    };
    let message = JupyterMessage {
        zmq_identities: raw.zmq_identities,
        parent_header: serde_json::from_slice(&raw.jparts[1]).ok(),
        metadata: serde_json::from_slice(&raw.jparts[2]).unwrap_or_else(|_| json!({})),
        header,
        content,
        buffers: raw.jparts[4..].to_vec(),
        channel: None,
    };
    match problem {
        None => Received::Message(message),
        Some(p) => Received::Malformed(message, p),
    }
}

/// Fills the fields the protocol lets clients omit.
fn with_defaults(msg_type: &str, mut content: Value) -> Value {
    let defaults: &[(&str, Value)] = match msg_type {
        "history_request" => &[
            ("output", Value::Bool(false)),
            ("raw", Value::Bool(true)),
            ("unique", Value::Bool(false)),
            ("n", Value::from(0)),
            ("pattern", Value::from("*")),
            ("start", Value::from(0)),
            ("stop", Value::from(0)),
        ],
        "execute_request" => &[
            ("silent", Value::Bool(false)),
            ("store_history", Value::Bool(true)),
        ],
        _ => &[],
    };
    if let Value::Object(map) = &mut content {
        for (key, value) in defaults {
            map.entry(key.to_string()).or_insert_with(|| value.clone());
        }
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::HistoryRequest;

    #[test]
    fn a_search_without_n_or_unique_is_understood() {
        let content = with_defaults(
            "history_request",
            json!({"hist_access_type": "search", "pattern": "list*", "raw": true, "output": false}),
        );
        match JupyterMessageContent::from_type_and_content("history_request", content).unwrap() {
            JupyterMessageContent::HistoryRequest(HistoryRequest::Search {
                pattern,
                unique,
                n,
                ..
            }) => assert_eq!((pattern.as_str(), unique, n), ("list*", false, 0)),
            other => panic!("not a search: {other:?}"),
        }
    }

    /// Signed messages whose header, parent, metadata and content (and
    /// buffers) are mutated: reading never panics, and a well-signed message
    /// with a readable header is never dropped.
    #[test]
    fn fuzz_signed_message_decoding() {
        use ring::hmac;
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"fuzz-key");
        let parts =
            |header: &str, content: &str| [header, "{}", "{}", content].join("\u{1e}").into_bytes();
        let header = |kind: &str| {
            json!({"msg_id": "m1", "session": "s", "username": "u", "date": "2026-12-07T00:00:00Z",
                   "msg_type": kind, "version": "5.3"})
            .to_string()
        };
        let seeds = vec![
            parts(
                &header("execute_request"),
                r#"{"code":"list tasks","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":true,"stop_on_error":true}"#,
            ),
            parts(
                &header("history_request"),
                r#"{"hist_access_type":"search","pattern":"li*","raw":true,"output":false}"#,
            ),
            parts(
                &header("complete_request"),
                r#"{"code":"list ta","cursor_pos":7}"#,
            ),
            parts(&header("kernel_info_request"), "{}"),
        ];
        let check = |input: &[u8]| {
            let jparts: Vec<&[u8]> = input.split(|b| *b == 0x1e).collect();
            let signed: Vec<u8> = jparts
                .iter()
                .take(4)
                .flat_map(|p| p.iter().copied())
                .collect();
            let signature: String = hmac::sign(&key, &signed)
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let frames: Vec<bytes::Bytes> = [&b"peer"[..], b"<IDS|MSG>", signature.as_bytes()]
                .into_iter()
                .chain(jparts.iter().copied())
                .map(bytes::Bytes::copy_from_slice)
                .collect();
            let Ok(multipart) = zeromq::ZmqMessage::try_from(frames) else {
                return;
            };
            let readable_header =
                jparts.len() >= 4 && serde_json::from_slice::<Header>(jparts[0]).is_ok();
            match read(multipart, &Some(key.clone())) {
                Received::Dropped(why) => assert!(!readable_header, "{why}"),
                Received::Message(_) | Received::Malformed(..) => assert!(readable_header),
            }
        };
        for seed in &seeds {
            assert!(
                serde_json::from_slice::<Header>(seed.split(|b| *b == 0x1e).next().unwrap())
                    .is_ok()
            );
            check(seed);
        }
        let dictionary = ["\u{1e}", "\"msg_type\":", "\"cursor_pos\":", "\"code\":"];
        let report = maestro_fuzz::run("kernel wire", &seeds, &dictionary, check);
        assert!(report.inputs > 4);
    }
}
