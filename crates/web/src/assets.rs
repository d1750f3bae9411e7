use axum::http::header;
use axum::response::IntoResponse;

/// The compiled stylesheet (GOV.UK Frontend with our neutral branding).
pub async fn app_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::embedded::APP_CSS,
    )
}
