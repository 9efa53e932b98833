//! Slack's request signatures: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`
//! with the signing secret, compared in constant time, within five minutes.

use axum::http::{HeaderMap, StatusCode};

use crate::problem::Problem;

/// How far a request's timestamp may be from now, in seconds.
pub const WINDOW_SECONDS: i64 = 5 * 60;

/// Checks a request's signature headers against its raw body at `now`
/// (Unix seconds). Every refusal is a 401 that says why.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), Problem> {
    let refuse = |why: &str| Problem::new(StatusCode::UNAUTHORIZED, why);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp = header("x-slack-request-timestamp").ok_or_else(|| {
        refuse("X-Slack-Request-Timestamp is missing; requests must come from Slack")
    })?;
    let at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| refuse("X-Slack-Request-Timestamp is not a number"))?;
    if (now - at).abs() > WINDOW_SECONDS {
        return Err(refuse(
            "the request's timestamp is more than five minutes away from now (a replay, or a clock to fix)",
        ));
    }
    let signature = header("x-slack-signature")
        .and_then(|s| s.strip_prefix("v0="))
        .and_then(unhex)
        .ok_or_else(|| refuse("X-Slack-Signature is missing or not `v0=` and hex"))?;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut message = format!("v0:{timestamp}:").into_bytes();
    message.extend_from_slice(body);
    ring::hmac::verify(&key, &message, &signature)
        .map_err(|_| refuse("the Slack signature does not match; check SLACK_SIGNING_SECRET"))
}

/// The signature Slack would send for `body` at `timestamp` (tests, tools).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut message = format!("v0:{timestamp}:").into_bytes();
    message.extend_from_slice(body);
    let tag = ring::hmac::sign(&key, &message);
    format!(
        "v0={}",
        tag.as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slack's worked example (see STACK.md).
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: i64 = 1531420618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn headers(ts: &str, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-slack-request-timestamp", ts.parse().unwrap());
        h.insert("x-slack-signature", sig.parse().unwrap());
        h
    }

    #[test]
    fn the_known_answer_is_accepted_and_any_change_refused() {
        let h = headers(&TS.to_string(), SIGNATURE);
        assert!(verify(SECRET, &h, BODY.as_bytes(), TS).is_ok());
        assert_eq!(sign(SECRET, TS, BODY.as_bytes()), SIGNATURE);
        let mut body = BODY.as_bytes().to_vec();
        for i in [0, body.len() / 2, body.len() - 1] {
            body[i] ^= 1;
            assert!(verify(SECRET, &h, &body, TS).is_err(), "byte {i} changed");
            body[i] ^= 1;
        }
        let mut sig = SIGNATURE.to_string();
        sig.replace_range(10..11, "0");
        assert!(verify(SECRET, &headers(&TS.to_string(), &sig), BODY.as_bytes(), TS).is_err());
        assert!(verify("another secret", &h, BODY.as_bytes(), TS).is_err());
    }

    #[test]
    fn stale_or_malformed_headers_are_refused() {
        let h = headers(&TS.to_string(), SIGNATURE);
        let late = verify(SECRET, &h, BODY.as_bytes(), TS + WINDOW_SECONDS + 1).unwrap_err();
        assert!(late.detail.contains("five minutes"), "{}", late.detail);
        assert!(verify(SECRET, &h, BODY.as_bytes(), TS + WINDOW_SECONDS).is_ok());
        assert!(verify(SECRET, &headers("soon", SIGNATURE), BODY.as_bytes(), TS).is_err());
        assert!(
            verify(
                SECRET,
                &headers(&TS.to_string(), "a2114d57"),
                BODY.as_bytes(),
                TS
            )
            .is_err()
        );
        assert!(verify(SECRET, &HeaderMap::new(), BODY.as_bytes(), TS).is_err());
    }
}
