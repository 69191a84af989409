use crate::{Message, MessageArg};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::{Arc, OnceLock};

/// The English (UK) text of the pages, compiled into the binary.
pub const EN_GB: &str = include_str!("../en-GB.ftl");

/// The English (UK) text of every message a field error can carry: the keys of
/// [`crate::msg`] and [`crate::label`], and nothing else.
pub const EN_GB_VALIDATION: &str = include_str!("../validation.ftl");

/// The words of Advocase in one language: both files in one Fluent bundle, so a key is
/// found wherever it is written and a key written twice stops the start.
#[derive(Clone)]
pub struct Catalogue {
    bundle: Arc<FluentBundle<FluentResource>>,
}

impl Catalogue {
    pub fn english() -> Self {
        static ENGLISH: OnceLock<Catalogue> = OnceLock::new();
        ENGLISH
            .get_or_init(|| {
                let mut bundle = FluentBundle::new_concurrent(vec![unic_langid::langid!("en-GB")]);
                // Isolation marks help right-to-left languages; in English they only
                // add invisible characters that screen readers may announce.
                bundle.set_use_isolating(false);
                bundle
                    .add_function("CAPITALISE", |positional, _named| {
                        match positional.first() {
                            Some(FluentValue::String(text)) => capitalise(text).into(),
                            Some(other) => other.clone(),
                            None => FluentValue::Error,
                        }
                    })
                    .expect("CAPITALISE is added once");
                for (name, text) in [("en-GB.ftl", EN_GB), ("validation.ftl", EN_GB_VALIDATION)] {
                    let resource =
                        FluentResource::try_new(text.to_string()).unwrap_or_else(|(_, errors)| {
                            panic!("the English catalogue {name} does not parse: {errors:?}")
                        });
                    bundle.add_resource(resource).unwrap_or_else(|errors| {
                        panic!("the English catalogue {name} repeats keys: {errors:?}")
                    });
                }
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

    /// The words of a message, its nested messages put into words first.
    pub fn message(&self, message: &Message) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in message.args() {
            match value {
                MessageArg::Text(text) => args.set(*name, text.clone()),
                MessageArg::Number(number) => args.set(*name, *number),
                MessageArg::Message(nested) => args.set(*name, self.message(nested)),
            }
        }
        let key = message.key().key();
        let mut errors = Vec::new();
        let text = self.format_reporting(key, Some(&args), &mut errors);
        // A value the text needs and the code did not give shows as `{$name}`: in tests
        // that is a failure, in production the sentence is still better than nothing.
        debug_assert!(errors.is_empty(), "{key}: {errors:?}");
        text
    }

    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        self.format_reporting(key, args, &mut Vec::new())
    }

    fn format_reporting(
        &self,
        key: &str,
        args: Option<&FluentArgs>,
        errors: &mut Vec<fluent_bundle::FluentError>,
    ) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        self.bundle
            .format_pattern(pattern, args, errors)
            .into_owned()
    }
}

/// Upper-cases the first letter, so a label can start a sentence: the catalogue's
/// `CAPITALISE($label)`.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
