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
    Ok(match RawMessage::from_multipart(multipart, &conn.mac) {
        Ok(raw) => decode(raw),
        Err(e) => Received::Dropped(format!("rejected a message ({e}); it was not executed")),
    })
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
}
