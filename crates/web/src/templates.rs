//! Server-side templates (MiniJinja, autoescaping on), compiled into the binary.

use crate::WebError;
use minijinja::Environment;

pub struct Templates {
    env: Environment<'static>,
}

fn format_time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::macros::format_description!(
                "[day] [month repr:short] [year] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

impl Templates {
    pub fn load() -> Result<Self, WebError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in crate::embedded::TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| WebError::Internal(format!("template {name}: {e}")))?;
        }
        env.add_filter("datetime", format_time);
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
