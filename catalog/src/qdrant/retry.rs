//! Retries with exponential backoff for the errors a server recovers from
//! (unavailable, overloaded, timed out, aborted); never for a refused request.

use std::future::Future;
use std::time::Duration;

use qdrant_client::QdrantError;
use tonic::Code;

/// Tries a request makes at most.
const ATTEMPTS: u32 = 5;
/// The pause after the first failure; it doubles after each one.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause, whatever the server asks for.
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// How qdrant-client reports a connection it could not open (as `Internal`).
const CONNECT_FAILED: &str = "Failed to connect to ";

/// True for failures worth another try: every request Maestro sends is
/// idempotent (points have fixed ids), so a repeat is safe.
pub(super) fn transient(error: &QdrantError) -> bool {
    match error {
        QdrantError::ResourceExhaustedError { .. } => true,
        QdrantError::ResponseError { status } => match status.code() {
            Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Cancelled => true,
            Code::Internal => status.message().starts_with(CONNECT_FAILED),
            _ => false,
        },
        _ => false,
    }
}

/// How long to wait before the next try: what the server asked for, or the
/// backoff `pause`, whichever is longer, but never above [`LONGEST_PAUSE`].
fn pause_after(error: &QdrantError, pause: Duration) -> Duration {
    let asked = match error {
        QdrantError::ResourceExhaustedError {
            retry_after_seconds,
            ..
        } => Duration::from_secs(*retry_after_seconds),
        _ => Duration::ZERO,
    };
    asked.max(pause).min(LONGEST_PAUSE)
}

/// Runs `request` until it succeeds, fails for good, or has been tried [`ATTEMPTS`] times.
pub(super) async fn retrying<T, F, Fut>(mut request: F) -> Result<T, QdrantError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, QdrantError>>,
{
    let mut pause = FIRST_PAUSE;
    for _ in 1..ATTEMPTS {
        match request().await {
            Err(e) if transient(&e) => {
                tokio::time::sleep(pause_after(&e, pause)).await;
                pause *= 2;
            }
            done => return done,
        }
    }
    request().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use tonic::Status;

    fn status(code: Code) -> QdrantError {
        QdrantError::ResponseError {
            status: Status::new(code, "test"),
        }
    }

    #[test]
    fn server_trouble_is_retried_and_refusals_are_not() {
        for code in [
            Code::Unavailable,
            Code::DeadlineExceeded,
            Code::ResourceExhausted,
            Code::Aborted,
            Code::Cancelled,
        ] {
            assert!(transient(&status(code)), "{code:?}");
        }
        for code in [
            Code::InvalidArgument,
            Code::NotFound,
            Code::AlreadyExists,
            Code::PermissionDenied,
            Code::Unauthenticated,
            Code::FailedPrecondition,
            Code::Internal,
        ] {
            assert!(!transient(&status(code)), "{code:?}");
        }
        assert!(transient(&QdrantError::ResourceExhaustedError {
            status: Status::resource_exhausted("slow down"),
            retry_after_seconds: 1,
        }));
        assert!(!transient(&QdrantError::ConversionError("bad".into())));
        let refused = Status::internal(format!("{CONNECT_FAILED}http://127.0.0.1:6334/: refused"));
        assert!(transient(&QdrantError::ResponseError { status: refused }));
    }

    #[test]
    fn pauses_follow_the_server_within_bounds() {
        let busy = |s| QdrantError::ResourceExhaustedError {
            status: Status::resource_exhausted("slow down"),
            retry_after_seconds: s,
        };
        let p = Duration::from_millis(200);
        assert_eq!(pause_after(&status(Code::Unavailable), p), p);
        assert_eq!(pause_after(&busy(2), p), Duration::from_secs(2));
        assert_eq!(pause_after(&busy(3600), p), LONGEST_PAUSE);
    }

    fn run<T>(work: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(work)
    }

    #[test]
    fn a_transient_failure_is_tried_again_until_it_passes_or_attempts_run_out() {
        let tries = Cell::new(0);
        let flaky = run(retrying(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move {
                if n < 3 {
                    Err(status(Code::Unavailable))
                } else {
                    Ok(n)
                }
            }
        }));
        assert_eq!(flaky.unwrap(), 3);

        tries.set(0);
        let down: Result<(), _> = run(retrying(|| {
            tries.set(tries.get() + 1);
            async { Err(status(Code::Unavailable)) }
        }));
        assert!(down.is_err());
        assert_eq!(tries.get(), ATTEMPTS);

        tries.set(0);
        let refused: Result<(), _> = run(retrying(|| {
            tries.set(tries.get() + 1);
            async { Err(status(Code::InvalidArgument)) }
        }));
        assert!(refused.is_err());
        assert_eq!(tries.get(), 1);
    }
}
