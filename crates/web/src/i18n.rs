//! Every user-facing string of the pages lives in a Fluent catalogue, English first.
//! Keys are looked up at render time; a missing key shows the key itself, and a test
//! checks that every key the templates use exists.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::{Arc, OnceLock};

/// The English (UK) catalogue, compiled into the binary.
pub const EN_GB: &str = include_str!("../i18n/en-GB.ftl");

#[derive(Clone)]
pub struct Catalogue {
    bundle: Arc<FluentBundle<FluentResource>>,
}

impl Catalogue {
    pub fn english() -> Self {
        static ENGLISH: OnceLock<Catalogue> = OnceLock::new();
        ENGLISH
            .get_or_init(|| {
                let resource =
                    FluentResource::try_new(EN_GB.to_string()).unwrap_or_else(|(_, errors)| {
                        panic!("the English catalogue does not parse: {errors:?}")
                    });
                let mut bundle = FluentBundle::new_concurrent(vec![unic_langid::langid!("en-GB")]);
                // Isolation marks help right-to-left languages; in English they only
                // add invisible characters that screen readers may announce.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .expect("the English catalogue has no duplicate keys");
                Catalogue {
                    bundle: Arc::new(bundle),
                }
            })
            .clone()
    }

    /// The text for `key`, or the key itself when the catalogue lacks it.
    pub fn text(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text for `key` with one named argument.
    pub fn text_with(&self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, value.to_string());
        self.format(key, Some(&args))
    }

    /// The text for `key` with one number, so the catalogue can choose singular or
    /// plural words for it.
    pub fn text_with_count(&self, key: &str, name: &str, count: i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name, count);
        self.format(key, Some(&args))
    }

    /// The text for `key` with several named arguments.
    pub fn text_with_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.to_string());
        }
        self.format(key, Some(&fluent))
    }

    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("…")` and `t_with("…"` key used in a template is in the catalogue.
    #[test]
    fn every_key_used_in_a_template_is_in_the_catalogue() {
        let catalogue = Catalogue::english();
        let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut stack = vec![templates];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in [".t(\"", ".t_with(\""] {
                    for piece in text.split(marker).skip(1) {
                        let key = piece.split('"').next().unwrap();
                        if !catalogue.has(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from en-GB.ftl: {missing:#?}"
        );
    }
}
