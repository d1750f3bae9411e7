//! Input rules, written once and used by every entry point (pages, API, command line).

use serde::Serialize;

/// One problem with one field, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// All problems found with one submission. Never empty when returned as an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self(Vec::new())
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }
    /// `Ok(())` when nothing was added, otherwise the collected errors.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// A date someone entered (see [`crate::dates::read_date`]), called `what` in messages ("review
/// date"). Nothing entered is an error only when the date is `required`.
pub fn date(
    field: &str,
    what: &str,
    entry: &crate::dates::DateEntry,
    required: bool,
    errors: &mut ValidationErrors,
) -> Option<time::Date> {
    match crate::dates::read_date(entry) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            if required {
                errors.add(field, crate::dates::DateProblem::Missing.message(what));
            }
            None
        }
        Err(problem) => {
            errors.add(field, problem.message(what));
            None
        }
    }
}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A handful of passwords that are always the first guesses. Length alone lets these through,
/// so they are refused by name. (No composition rules: length is what matters.)
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "qwerty123",
    "iloveyou",
    "11111111",
    "00000000",
    "abc12345",
    "letmein1",
    "welcome1",
    "preventkit",
];

/// Check a new password: 8 to 128 characters, not one of the commonest. Any characters,
/// including spaces and pasted text, are allowed.
pub fn password(field: &str, value: &str, errors: &mut ValidationErrors) {
    let chars = value.chars().count();
    if chars == 0 {
        errors.add(field, "Enter a password");
    } else if chars < PASSWORD_MIN_CHARS {
        errors.add(field, "Password must be 8 characters or more");
    } else if chars > PASSWORD_MAX_CHARS {
        errors.add(field, "Password must be 128 characters or fewer");
    } else if COMMON_PASSWORDS.contains(&value.to_lowercase().as_str()) {
        errors.add(
            field,
            "Password is too easy to guess. Choose a longer phrase that others would not guess",
        );
    }
}

/// Normalise an email address for storage and look-up: trimmed and lower-cased.
pub fn normalise_email(value: &str) -> String {
    value.trim().to_lowercase()
}

/// Check an email address's shape. Delivery is not checked.
pub fn email(field: &str, value: &str, errors: &mut ValidationErrors) -> String {
    let v = normalise_email(value);
    if v.is_empty() {
        errors.add(field, "Enter an email address");
        return v;
    }
    let ok = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if !ok {
        errors.add(
            field,
            "Enter an email address in the correct format, like name@example.org",
        );
    }
    v
}

/// Check a required short text such as a name: trimmed, 1 to `max` characters, no control
/// characters.
pub fn required_text(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
    errors: &mut ValidationErrors,
) -> String {
    let v = value.trim().to_owned();
    if v.is_empty() {
        errors.add(field, format!("Enter {label}"));
    } else if v.chars().count() > max {
        errors.add(
            field,
            format!("{} must be {max} characters or fewer", capitalise(label)),
        );
    } else if v.chars().any(|c| c.is_control()) {
        errors.add(
            field,
            format!("{} must not contain control characters", capitalise(label)),
        );
    }
    v
}

/// Check a longer free text such as supporting details or a reason: at most `max`
/// characters; line breaks and tabs are kept, every other control character (U+0000 above
/// all, which PostgreSQL cannot store and which truncates text in other tools) is refused.
/// Empty is allowed; callers that need text check for it.
pub fn free_text(field: &str, label: &str, value: &str, max: usize, errors: &mut ValidationErrors) {
    if value.chars().count() > max {
        errors.add(
            field,
            format!(
                "{} must be {} characters or fewer",
                capitalise(label),
                thousands(max)
            ),
        );
    } else if has_forbidden_control(value) {
        errors.add(
            field,
            format!(
                "{} must not contain control characters. Remove them (they often come from copying text out of another program) and try again",
                capitalise(label)
            ),
        );
    }
}

/// Check a required text of several lines such as a comment: trimmed, present, then as
/// [`free_text`] (line breaks kept, other control characters refused).
pub fn required_lines(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
    errors: &mut ValidationErrors,
) -> String {
    let v = value.trim().to_owned();
    if v.is_empty() {
        errors.add(field, format!("Enter {label}"));
    } else {
        free_text(field, label, &v, max, errors);
    }
    v
}

/// Whether a text has a control character other than a line break or a tab.
pub fn has_forbidden_control(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn capitalise(s: &str) -> String {
    let s = s
        .strip_prefix("a ")
        .or_else(|| s.strip_prefix("an "))
        .unwrap_or(s);
    let s = s.strip_prefix("the ").unwrap_or(s);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_keeps_line_breaks_and_refuses_nul() {
        let check = |v: &str| {
            let mut e = ValidationErrors::new();
            free_text("details", "supporting details", v, 20_000, &mut e);
            e
        };
        assert!(check("two\nlines\r\nand\ta tab").is_empty());
        assert!(check("").is_empty());
        let e = check("before\u{0}after");
        assert_eq!(e.0.len(), 1);
        assert!(e.0[0]
            .message
            .starts_with("Supporting details must not contain"));
        assert!(!check("bell\u{7}").is_empty());
        let mut e = ValidationErrors::new();
        let v = required_lines("comment", "a comment", "  first\nsecond  ", 5000, &mut e);
        assert!(e.is_empty());
        assert_eq!(v, "first\nsecond");
        required_lines("comment", "a comment", " \n ", 5000, &mut e);
        assert_eq!(e.0[0].message, "Enter a comment");
        assert_eq!(
            check(&"x".repeat(20_001)).0[0].message,
            "Supporting details must be 20,000 characters or fewer"
        );
    }

    #[test]
    fn password_length_rules() {
        let check = |p: &str| {
            let mut e = ValidationErrors::new();
            password("password", p, &mut e);
            e.is_empty()
        };
        assert!(!check(""));
        assert!(!check("short7!"));
        assert!(check("eight ch"));
        assert!(check(&"x".repeat(128)));
        assert!(!check(&"x".repeat(129)));
        assert!(!check("Password1"));
        // No composition rules: lower-case words are fine.
        assert!(check("correct horse battery staple"));
    }

    #[test]
    fn email_shapes() {
        let check = |p: &str| {
            let mut e = ValidationErrors::new();
            let v = email("email", p, &mut e);
            (e.is_empty(), v)
        };
        assert_eq!(check(" Ann@Example.ORG "), (true, "ann@example.org".into()));
        assert!(!check("ann").0);
        assert!(!check("ann@example").0);
        assert!(!check("a b@example.org").0);
        assert!(!check("@example.org").0);
        assert!(!check("").0);
    }

    #[test]
    fn required_text_messages() {
        let mut e = ValidationErrors::new();
        required_text("name", "a name", "  ", 10, &mut e);
        required_text("name2", "a name", "abcdefghijk", 10, &mut e);
        assert_eq!(e.0[0].message, "Enter a name");
        assert_eq!(e.0[1].message, "Name must be 10 characters or fewer");
    }
}
