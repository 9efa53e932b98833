//! Console sign-in: sessions the server holds, named by a random cookie.
//!
//! A session carries the API token it was opened with, checked again on
//! every request (so revoking the token ends its sessions at once), and a
//! CSRF secret every state-changing request must send back. Sessions live
//! in the server's memory: they end after [`LIFETIME`], at sign-out, and
//! when the server restarts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};

use ring::rand::{SecureRandom, SystemRandom};

use crate::problem::Problem;

/// The cookie that names a session.
pub const SESSION_COOKIE: &str = "maestro_session";
/// The cookie that ties the sign-in form to the browser that loaded it.
pub const LOGIN_COOKIE: &str = "maestro_login";
/// How long a session lasts after sign-in.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Most sessions held at once; the oldest go first beyond it.
const MAX_SESSIONS: usize = 10_000;

/// One signed-in browser.
#[derive(Clone)]
pub struct Session {
    /// The API token it signed in with.
    pub token: String,
    /// The secret its forms send back.
    pub csrf: String,
    started: Instant,
    /// What the next page shows once: the outcome of the last change.
    flash: Option<String>,
}

/// Every open session, by cookie value.
#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Opens a session for `token`; answers the cookie value naming it.
    pub fn start(&self, token: String) -> Result<String, Problem> {
        let (id, csrf) = (secret()?, secret()?);
        let mut open = self.lock();
        open.retain(|_, s| s.started.elapsed() < LIFETIME);
        if open.len() >= MAX_SESSIONS
            && let Some(oldest) = open
                .iter()
                .min_by_key(|(_, s)| s.started)
                .map(|(k, _)| k.clone())
        {
            open.remove(&oldest);
        }
        let session = Session {
            token,
            csrf,
            started: Instant::now(),
            flash: None,
        };
        open.insert(id.clone(), session);
        Ok(id)
    }

    /// The live session the cookie value names (an expired one is forgotten).
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut open = self.lock();
        match open.get(id) {
            Some(s) if s.started.elapsed() < LIFETIME => Some(s.clone()),
            Some(_) => {
                open.remove(id);
                None
            }
            None => None,
        }
    }

    /// Keeps `text` for the session's next page.
    pub fn flash(&self, id: &str, text: &str) {
        if let Some(session) = self.lock().get_mut(id) {
            session.flash = Some(text.to_string());
        }
    }

    /// The text kept for this page, once.
    pub fn take_flash(&self, id: &str) -> Option<String> {
        self.lock().get_mut(id).and_then(|s| s.flash.take())
    }

    /// Ends a session (sign-out, or its token no longer valid).
    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// 128 random bits as hex, or a 500 when the system has no randomness to give.
pub fn secret() -> Result<String, Problem> {
    let mut bytes = [0u8; 16];
    SystemRandom::new().fill(&mut bytes).map_err(|_| {
        Problem::internal("the system's random number generator failed; no session was made")
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The value of cookie `name` in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for the whole site,
/// Secure when the browser reached us over TLS; `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        max_age.as_secs()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Whether the browser reached us over TLS: a proxy in front says so with
/// `X-Forwarded-Proto: https` or `Forwarded: proto=https`.
pub fn over_tls(headers: &HeaderMap) -> bool {
    let says = |name: &str, wanted: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(wanted))
    };
    says("x-forwarded-proto", "https") || says("forwarded", "proto=https")
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_cookie_until_it_ends() {
        let sessions = Sessions::default();
        let id = sessions.start("token".into()).unwrap();
        let found = sessions.get(&id).expect("the session");
        assert_eq!(found.token, "token");
        assert_eq!(found.csrf.len(), 32);
        assert_ne!(found.csrf, id);
        sessions.flash(&id, "Created task #1.");
        assert_eq!(
            sessions.take_flash(&id).as_deref(),
            Some("Created task #1.")
        );
        assert_eq!(sessions.take_flash(&id), None, "shown once");
        assert!(sessions.get("another").is_none());
        sessions.end(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn cookies_are_read_by_name_and_set_strictly() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; maestro_session=abc".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "b"), None);
        let set = set_cookie(SESSION_COOKIE, "abc", LIFETIME, true);
        let set = set.to_str().unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(set.ends_with("; Secure"));
        assert!(
            !set_cookie("x", "y", LIFETIME, false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abcd", "abcd"));
        assert!(!same_secret("abcd", "abce"));
        assert!(!same_secret("abc", "abcd"));
    }
}
