//! Who is signed in: the staff session, its limits, and its CSRF token.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use rand::RngCore;

use super::error::AppError;
use super::session_store::STAFF_ID;
use crate::clock::Clock;
use crate::db::audit::Actor;
use crate::db::{Database, staff};
use crate::domain::staff::{NewPassword, Role};
use crate::passwords;

const SIGNED_IN_AT: &str = "signed_in_at";
const SEEN_AT: &str = "seen_at";
const CSRF: &str = "csrf";

/// A staff session ends after this long without a request…
pub const IDLE_LIMIT_SECONDS: i64 = 30 * 60;
/// …and this long after sign-in, however busy.
pub const MAX_AGE_SECONDS: i64 = 12 * 60 * 60;
/// Activity is written back at most this often, not on every request.
const SEEN_RESOLUTION_SECONDS: i64 = 60;

/// What the page layout shows of the signed-in account.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A signed-in, enabled staff account. Taking it as a handler argument is what
/// makes a page staff-only: without a session the request is sent to sign in.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i64,
    pub viewer: Viewer,
}

impl StaffUser {
    /// This account, as the history records who made a change.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.id),
            username: self.viewer.username.clone(),
        }
    }
}

impl FromRequest for StaffUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// A signed-in administrator. Taking it as a handler argument is what makes a
/// page admin-only: office accounts are answered 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub StaffUser);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let staff = authenticate(&req).await?;
            if staff.viewer.is_admin() {
                Ok(Self(staff))
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}

async fn authenticate(req: &HttpRequest) -> Result<StaffUser, AppError> {
    let session = req.get_session();
    let sign_in = || AppError::SignInRequired {
        next: local_target(req),
    };
    let Some(staff_id) = read::<i64>(&session, STAFF_ID)? else {
        return Err(sign_in());
    };

    let now = app_data::<Clock>(req)?.now().and_utc().timestamp();
    let signed_in_at = read::<i64>(&session, SIGNED_IN_AT)?.unwrap_or(0);
    let seen_at = read::<i64>(&session, SEEN_AT)?.unwrap_or(0);
    if now - seen_at > IDLE_LIMIT_SECONDS || now - signed_in_at > MAX_AGE_SECONDS {
        session.purge();
        return Err(sign_in());
    }

    let db = app_data::<Database>(req)?;
    let account = db.run(move |conn| staff::find(conn, staff_id)).await?;
    let Some(account) = account.filter(|account| account.disabled_at.is_none()) else {
        session.purge();
        return Err(sign_in());
    };
    if now - seen_at >= SEEN_RESOLUTION_SECONDS {
        write(&session, SEEN_AT, now)?;
    }

    let role = Role::parse(&account.role)
        .ok_or_else(|| anyhow::anyhow!("staff account {staff_id} has an unknown role"))?;
    let viewer = Viewer {
        username: account.username,
        role,
        csrf_token: csrf_token(&session)?,
    };
    req.extensions_mut().insert(viewer.clone());
    Ok(StaffUser {
        id: staff_id,
        viewer,
    })
}

/// Starts a fresh staff session: a new session id, a new CSRF token, nothing
/// carried over from before sign-in.
pub fn begin_staff_session(
    session: &Session,
    staff_id: i64,
    clock: &Clock,
) -> Result<(), AppError> {
    let now = clock.now().and_utc().timestamp();
    session.clear();
    session.renew();
    write(session, STAFF_ID, staff_id)?;
    write(session, SIGNED_IN_AT, now)?;
    write(session, SEEN_AT, now)?;
    csrf_token(session)?;
    Ok(())
}

/// Hashes a new password on a blocking thread: Argon2 takes tens of milliseconds.
pub async fn hash_password(password: NewPassword) -> Result<String, AppError> {
    web::block(move || passwords::hash(password.expose()))
        .await
        .map_err(|error| AppError::Internal(error.into()))?
        .map_err(AppError::Internal)
}

/// The session's CSRF token, created on first use. One token serves every form
/// of the session.
pub fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = read::<String>(session, CSRF)? {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    write(session, CSRF, &token)?;
    Ok(token)
}

/// The session's CSRF token, if it has one; never creates one.
pub fn existing_csrf_token(session: &Session) -> Result<Option<String>, AppError> {
    read(session, CSRF)
}

/// The path and query of this request, to come back to after sign-in.
fn local_target(req: &HttpRequest) -> String {
    req.uri()
        .path_and_query()
        .map_or("/", |target| target.as_str())
        .to_owned()
}

/// `next` when it is a path on this site; `/` for anything that could lead elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// A value kept in the session.
pub fn read<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    session
        .get(key)
        .map_err(|error| AppError::Internal(anyhow::anyhow!("{error}")))
}

/// Keeps a value in the session.
pub fn write<T: serde::Serialize>(session: &Session, key: &str, value: T) -> Result<(), AppError> {
    session
        .insert(key, value)
        .map_err(|error| AppError::Internal(anyhow::anyhow!("{error}")))
}

/// Shared state registered at start-up; missing state is a wiring fault.
pub fn app_data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, AppError> {
    req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "{} is not registered",
            std::any::type_name::<T>()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/constituents?q=ann")),
            "/constituents?q=ann"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
