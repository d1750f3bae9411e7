//! What the API document says about errors and about the words the server accepts, in one
//! place, so that the document and the server cannot drift apart.
//!
//! Every operation is given the error answers the server can make to it, decided from the route
//! table: 400 (a body that is not JSON, a path that is not UTF-8) and 401 (no valid token) on
//! every one; 403 where the route needs a permission; 404 where the path names something; 413
//! and 422 where a body is sent (422 also where there are query filters); 503 when the
//! database is busy. A handler that documents one of these itself keeps its own wording.

use crate::routes::{specs, Surface};
use axum::http::Method;
use preventkit_services::domain::{Access, OrganisationType, Role};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema,
};
use utoipa::Modify;

/// The error answers, as reusable responses: (status, component name, description).
pub const ERROR_RESPONSES: [(&str, &str, &str); 8] = [
    (
        "400",
        "BadRequest",
        "The request could not be read: a body that is not JSON (`bad_request`), or a path that is not valid UTF-8.",
    ),
    (
        "401",
        "Unauthenticated",
        "No valid API token (`unauthenticated`): none was given, or it is unknown, expired or revoked, or its account or role has gone.",
    ),
    (
        "403",
        "Forbidden",
        "The token's role does not allow this in this partnership (`forbidden`), or the case opens only by exceptional access, which has not been given (`exceptional_access_needed`).",
    ),
    (
        "404",
        "NotFound",
        "Nothing with that id that this token can see (`not_found`). An id of another partnership is not found.",
    ),
    (
        "409",
        "Conflict",
        "The change does not fit the current state (`conflict`).",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than this call accepts (`payload_too_large`): 1 MiB, or for evidence enough for a 10 MiB file in base64.",
    ),
    (
        "422",
        "ValidationFailed",
        "A field is missing, unknown or not valid (`validation_failed`); `field` and `fields` name them.",
    ),
    (
        "503",
        "Busy",
        "The database is busy (`busy`); nothing was changed. Try again shortly.",
    ),
];

pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, name, description) in ERROR_RESPONSES {
            let mut r = ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            );
            if status == "401" {
                r = r.header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(ObjectBuilder::new().schema_type(Type::String))
                        .description(Some("`Bearer`"))
                        .build(),
                );
            }
            components
                .responses
                .insert(name.to_owned(), RefOr::T(r.build()));
        }
        let routes = specs();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                (Method::GET, &mut item.get),
                (Method::PUT, &mut item.put),
                (Method::POST, &mut item.post),
                (Method::DELETE, &mut item.delete),
                (Method::PATCH, &mut item.patch),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let access = routes
                    .iter()
                    .find(|r| r.surface == Surface::Api && r.path == path && r.method == method)
                    .map(|r| r.access);
                add_errors(op, path, access);
            }
        }
    }
}

fn add_errors(op: &mut Operation, path: &str, access: Option<Access>) {
    let has_body = op.request_body.is_some();
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let mut wanted = vec!["400", "401"];
    if matches!(access, Some(Access::Permission(_))) {
        wanted.push("403");
    }
    if path.contains('{') {
        wanted.push("404");
    }
    if has_body {
        wanted.push("413");
    }
    if has_body || has_query {
        wanted.push("422");
    }
    wanted.push("503");
    for status in wanted {
        let Some((_, name, _)) = ERROR_RESPONSES.iter().find(|(s, _, _)| *s == status) else {
            continue;
        };
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
    }
    // An error a handler lists without saying anything about it gets the shared wording.
    for (status, name, _) in ERROR_RESPONSES {
        if let Some(r) = op.responses.responses.get_mut(status) {
            if matches!(r, RefOr::T(inline) if inline.description.trim().is_empty()) {
                *r = RefOr::Ref(Ref::from_response_name(name));
            }
        }
    }
}

/// A string that must hold something besides spaces (the server trims it and refuses it empty).
pub fn non_empty(description: &str, max: Option<usize>) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(max)
            .pattern(Some(r"\S"))
            .description(Some(description))
            .build(),
    )
}

/// Control characters (Unicode category Cc), as a regular expression class body.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

/// Text the server trims and then requires to be present, at most `max` characters, without
/// control characters (line breaks included).
pub fn trimmed_text(description: &str, max: usize) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(format!(
                r"^\s*[^\s{CONTROL}]([^{CONTROL}]{{0,{}}}[^\s{CONTROL}])?\s*$",
                max.saturating_sub(2)
            )))
            .description(Some(format!(
                "{description} At most {max} characters once spaces at either end are removed; no line breaks or other control characters."
            )))
            .build(),
    )
}

pub fn title_200() -> Schema {
    trimmed_text("A title.", 200)
}

/// Control characters other than tab, line feed and carriage return.
const CONTROL_BUT_BREAKS: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";

/// Text of several lines that the server trims and then requires to be present: at most `max`
/// characters, line breaks and tabs allowed, no other control characters.
pub fn trimmed_lines(description: &str, max: usize) -> Schema {
    let c = CONTROL_BUT_BREAKS;
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(format!(
                r"^\s*[^\s{c}]([^{c}]{{0,{}}}[^\s{c}])?\s*$",
                max.saturating_sub(2)
            )))
            .description(Some(format!(
                "{description} At most {max} characters once spaces at either end are removed; line breaks are kept, other control characters are refused."
            )))
            .build(),
    )
}

pub fn comment_body() -> Schema {
    trimmed_lines("The comment, in plain text.", 5000)
}

/// An email address as the server checks it: something, `@`, and a domain with a dot inside.
pub fn email() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(3))
            .pattern(Some(format!(
                r"^\s*[^@\s{CONTROL}]+@[^@\s{CONTROL}.][^@\s{CONTROL}]*\.[^@\s{CONTROL}]*[^@\s{CONTROL}.]\s*$"
            )))
            .description(Some(
                "An email address, such as `name@example.org` (at most 254 characters; case does not matter).",
            ))
            .build(),
    )
}

/// Standard base64 with its padding, as the server decodes it (the unused bits of the last
/// character are zero).
pub const BASE64_PATTERN: &str =
    r"^\s*([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?\s*$";

/// A string from a fixed list.
pub fn one_of_keys<'a>(description: &str, keys: impl IntoIterator<Item = &'a str>) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(keys))
            .description(Some(description))
            .build(),
    )
}

pub fn role_key() -> Schema {
    one_of_keys(
        "A role key.",
        Role::ALL.iter().map(|r| r.key()).collect::<Vec<_>>(),
    )
}

pub fn organisation_type_key() -> Schema {
    one_of_keys(
        "An organisation type key, such as `police-force`.",
        OrganisationType::ALL
            .iter()
            .map(|t| t.key())
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use crate::WebError;
    use preventkit_services::ServiceError;

    /// Every code the server sends is one the document lists.
    #[test]
    fn every_error_code_is_documented() {
        let doc = serde_json::to_value(
            <super::super::types::ErrorCode as utoipa::PartialSchema>::schema(),
        )
        .unwrap_or_default();
        let listed: Vec<String> = doc["enum"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let errors = [
            WebError::NotFound,
            WebError::BadRequest(String::new()),
            WebError::Internal(String::new()),
            WebError::Service(ServiceError::NotFound),
            WebError::Service(ServiceError::Conflict(String::new())),
            WebError::Service(ServiceError::InvalidCredentials),
            WebError::Service(ServiceError::Throttled),
            WebError::Service(ServiceError::Busy),
            WebError::Service(ServiceError::NotMigrated),
            WebError::Service(ServiceError::Validation(
                preventkit_services::domain::validate::ValidationErrors::new(),
            )),
            WebError::Service(ServiceError::Denied(
                preventkit_services::domain::Denial::NotPermitted,
            )),
        ];
        for e in errors {
            assert!(
                listed.iter().any(|c| c == e.code()),
                "{} is not in ErrorCode",
                e.code()
            );
        }
        for c in [
            "unauthenticated",
            "forbidden",
            "stale_edit",
            "payload_too_large",
            "method_not_allowed",
        ] {
            assert!(listed.iter().any(|l| l == c), "{c} is not in ErrorCode");
        }
    }
}
