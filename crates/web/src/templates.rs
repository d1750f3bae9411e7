//! Server-side templates (MiniJinja, autoescaping on), compiled into the binary.

use crate::WebError;
use minijinja::Environment;
use preventkit_services::domain::{dates, Timestamp};

pub struct Templates {
    env: Environment<'static>,
}

/// The one way pages show dates and times (see `domain::dates`): stored `YYYY-MM-DD` dates
/// as "1 April 2026", times (milliseconds since the epoch) as "2 December 2026 at 12:01" in UK
/// time, and the audit log's times to the second in UTC.
fn add_date_filters(env: &mut Environment<'static>) {
    env.add_filter("date", |s: String| dates::long_date_from_iso(&s));
    env.add_filter("datetime", |ms: i64| dates::uk_date_time(Timestamp(ms)));
    env.add_filter("utc_datetime", |ms: i64| {
        dates::utc_date_time(Timestamp(ms))
    });
}

impl Templates {
    /// The templates; `strict` makes a template that uses a variable it was not given fail.
    pub fn load(strict: bool) -> Result<Self, WebError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(if strict {
            // Semi-strict, not strict: printing, iterating, filtering or looking into an
            // undefined value fails, but `{% if x %}` on one is false, as in Jinja and in
            // GOV.UK's Nunjucks macros, whose optional parameters (`params.hint`,
            // `params.classes`...) are tested that way. Strict would fail every component
            // called without one of its optional parameters.
            minijinja::UndefinedBehavior::SemiStrict
        } else {
            // Lenient, and a lookup into an undefined value is undefined too.
            minijinja::UndefinedBehavior::Chainable
        });
        for (name, source) in crate::embedded::TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| WebError::Internal(format!("template {name}: {e}")))?;
        }
        add_date_filters(&mut env);
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, WebError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| WebError::Internal(format!("template {name}: {e}")))?;
        t.render(ctx)
            .map_err(|e| WebError::Internal(format!("rendering {name}: {e:#}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strict templates fail on a misspelt variable; lenient ones render it as nothing; both
    /// still treat `{% if optional %}` on a value that was not given as false.
    #[test]
    fn strict_templates_refuse_a_misspelt_variable() {
        let source = "{% if hint %}({{ hint }}){% endif %}Hello {{ nmae }}";
        let render = |strict: bool| {
            let mut t = Templates::load(strict).unwrap();
            t.env.add_template("misspelt.html", source).unwrap();
            t.render("misspelt.html", minijinja::context! { name => "Ada" })
        };
        let strict = render(true).unwrap_err();
        assert!(
            matches!(&strict, WebError::Internal(m) if m.contains("undefined")),
            "{strict:?}"
        );
        assert_eq!(render(false).unwrap(), "Hello ");
    }
}
