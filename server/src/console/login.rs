//! `/login` and `/logout`: an API token in, a session cookie out.
//!
//! The sign-in form is tied to the browser that loaded it by a cookie of
//! its own (double submit), so another site cannot sign a browser in.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;

use super::render::{self, notice};
use super::session::{
    self, LIFETIME, LOGIN_COOKIE, SESSION_COOKIE, cookie, over_tls, same_secret, set_cookie,
};
use super::{PageError, Viewer};
use crate::state::{AppState, blocking};

/// Sign-in, open to everyone.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/login", get(form).post(sign_in))
}

/// Sign-out, for the signed-in.
pub fn signed_in_routes() -> Router<Arc<AppState>> {
    Router::new().route("/logout", post(sign_out))
}

/// How long the sign-in form stays good.
const FORM_LIFETIME: Duration = Duration::from_secs(3600);

async fn form(headers: HeaderMap) -> Result<Response, PageError> {
    login_page(&headers, StatusCode::OK, None)
}

/// The sign-in page with a fresh form secret (and `error`, when the last try failed).
fn login_page(
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let secret = session::secret()?;
    let body: Markup = html! {
        @if let Some(error) = error { (notice(error, true)) }
        form.login method="post" action="/login" {
            input type="hidden" name="csrf" value=(secret);
            label for="token" { "API token" }
            input #token type="password" name="token" autocomplete="off" required autofocus;
            button type="submit" { "Sign in" }
        }
        p.hint { "Make a token with " code { "maestro token create" } "; a read token sees everything and changes nothing." }
    };
    let page = render::page(None, "", "Sign in to Maestro", body).into_string();
    let cookie = set_cookie(LOGIN_COOKIE, &secret, FORM_LIFETIME, over_tls(headers));
    Ok((status, [(header::SET_COOKIE, cookie)], Html(page)).into_response())
}

#[derive(Deserialize)]
struct SignIn {
    token: String,
    csrf: String,
}

async fn sign_in(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Result<Response, PageError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(&form.csrf, &expected) {
        return login_page(
            &headers,
            StatusCode::FORBIDDEN,
            Some("this sign-in form is out of date; try again"),
        );
    }
    let token = form.token.trim().to_string();
    let directory = Arc::clone(&state.directory);
    let checked = token.clone();
    let found = blocking(move || Ok(directory.authenticate(&checked)?)).await?;
    if found.is_none() {
        return login_page(
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("that token is not valid (wrong, or revoked); ask for a new one"),
        );
    }
    let id = state.sessions.start(token)?;
    let secure = over_tls(&headers);
    let mut response = Redirect::to("/").into_response();
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, LIFETIME, secure),
    );
    cookies.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, "", Duration::ZERO, secure),
    );
    Ok(response)
}

async fn sign_out(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Response {
    state.sessions.end(&viewer.cookie);
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Duration::ZERO, over_tls(&headers)),
    );
    response
}
