//! The accept loop: every connection served by hyper with a deadline for
//! each request's headers (which also ends a keep-alive connection left
//! idle that long), at most [`Connections::max`] at once — one more gets a
//! 503 problem and is closed — and a graceful stop that lets requests in
//! flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct Connections {
    /// Connections served at once; the next gets a 503 and is closed.
    pub max: usize,
    /// Longest wait for a request's headers, and for the next request on
    /// an idle keep-alive connection; then the connection is closed.
    pub header_timeout: Duration,
}

impl Default for Connections {
    /// 1,024 connections, 10 seconds for headers.
    fn default() -> Self {
        Self {
            max: 1024,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes;
/// requests in flight then finish before this returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: Connections,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max));
    let graceful = GracefulShutdown::new();
    // HTTP/1 only (as the router is built): its header deadline then covers
    // the very first bytes too, which version detection would wait for unbounded.
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait, then go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tokio::spawn(refuse(stream, limits.max));
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Answers a connection beyond the limit with a 503 problem and closes it.
async fn refuse(mut stream: TcpStream, max: usize) {
    let body = format!(
        r#"{{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the server is serving its limit of {max} connections; retry in a moment"}}"#
    );
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    // Read what the client sent first, so that closing does not reset the
    // connection before it reads the answer.
    let mut request = [0u8; 4096];
    let wait = Duration::from_millis(200);
    let _ = tokio::time::timeout(wait, stream.read(&mut request)).await;
    let _ = tokio::time::timeout(wait, stream.write_all(response.as_bytes())).await;
    let _ = stream.shutdown().await;
}
