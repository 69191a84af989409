//! Every sentence Advocase shows lives in a Fluent catalogue, English first.
//!
//! - `en-GB.ftl` holds the words of the pages, looked up by key when a page is rendered;
//! - `validation.ftl` holds the messages of field errors: the keys declared in [`msg`],
//!   and in [`label`] the names of fields that those messages mention.
//!
//! The rules in the domain and storage crates refuse input with a [`Message`] (a declared
//! key and its values), never with English. The edges turn a message into words with
//! the one [`Catalogue`]: the pages, the API's error envelope and the command line. This
//! crate sits below the domain crate, so that the domain's and the store's tests can
//! check the very words a person will read.

mod catalogue;
pub mod label;
mod message;
pub mod msg;

pub use catalogue::{Catalogue, EN_GB, EN_GB_VALIDATION, capitalise};
pub use message::{Message, MessageArg, MessageKey};

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;
    use std::collections::BTreeSet;

    fn declared() -> impl Iterator<Item = MessageKey> {
        msg::ALL.iter().chain(label::ALL).copied()
    }

    /// The names of the variables a pattern uses, selectors and function arguments too.
    fn variables(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
        fn inline(expression: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>) {
            match expression {
                ast::InlineExpression::VariableReference { id } => {
                    found.insert(id.name.to_string());
                }
                ast::InlineExpression::FunctionReference { arguments, .. } => {
                    for argument in &arguments.positional {
                        inline(argument, found);
                    }
                    for argument in &arguments.named {
                        inline(&argument.value, found);
                    }
                }
                ast::InlineExpression::Placeable { expression } => outer(expression, found),
                _ => {}
            }
        }
        fn outer(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
            match expression {
                ast::Expression::Inline(expression) => inline(expression, found),
                ast::Expression::Select { selector, variants } => {
                    inline(selector, found);
                    for variant in variants {
                        variables(&variant.value, found);
                    }
                }
            }
        }
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                outer(expression, found);
            }
        }
    }

    /// Each message of `validation.ftl` with the variables its text uses.
    fn validation_messages() -> Vec<(String, BTreeSet<String>)> {
        let resource = fluent_syntax::parser::parse(EN_GB_VALIDATION)
            .unwrap_or_else(|(_, errors)| panic!("validation.ftl does not parse: {errors:?}"));
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                ast::Entry::Message(message) => {
                    let mut found = BTreeSet::new();
                    if let Some(value) = &message.value {
                        variables(value, &mut found);
                    }
                    Some((message.id.name.to_string(), found))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_files_load_into_one_catalogue() {
        let catalogue = Catalogue::english();
        assert!(catalogue.has("skip-to-main"));
        assert!(catalogue.has(msg::ENTER.key()));
    }

    #[test]
    fn every_declared_key_is_in_validation_ftl_with_the_values_it_declares() {
        let written: std::collections::BTreeMap<String, BTreeSet<String>> =
            validation_messages().into_iter().collect();
        let mut wrong = Vec::new();
        for key in declared() {
            let declared: BTreeSet<String> = key.args().iter().map(|a| a.to_string()).collect();
            match written.get(key.key()) {
                None => wrong.push(format!("{} is not in validation.ftl", key.key())),
                Some(used) if *used != declared => wrong.push(format!(
                    "{} declares {declared:?} but its text uses {used:?}",
                    key.key()
                )),
                Some(_) => {}
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_message_of_validation_ftl_is_declared_once() {
        let declared: Vec<&str> = declared().map(|k| k.key()).collect();
        let unique: BTreeSet<&str> = declared.iter().copied().collect();
        assert_eq!(unique.len(), declared.len(), "a key is declared twice");
        let undeclared: Vec<String> = validation_messages()
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| !unique.contains(key.as_str()))
            .collect();
        assert!(
            undeclared.is_empty(),
            "in validation.ftl but not declared in msg or label: {undeclared:#?}"
        );
    }

    #[test]
    fn every_declared_message_renders_with_its_values() {
        let catalogue = Catalogue::english();
        for key in declared() {
            let mut message = Message::from(key);
            for name in key.args() {
                message = message.with(name, 2);
            }
            let text = catalogue.message(&message);
            assert!(!text.is_empty() && text != key.key(), "{}", key.key());
        }
    }

    #[test]
    fn a_nested_label_is_put_into_words_and_can_start_a_sentence() {
        let catalogue = Catalogue::english();
        let missing = msg::ENTER.with("label", label::A_NAME);
        assert_eq!(catalogue.message(&missing), "Enter a name");
        let long = msg::TEXT_TOO_LONG
            .with("label", label::A_NAME)
            .with("max", 5);
        assert_eq!(
            catalogue.message(&long),
            "A name must be 5 characters or fewer"
        );
    }

    #[test]
    fn numbers_are_written_as_the_rules_wrote_them_before() {
        // The catalogue writes a number as plain digits, as the rules once wrote them.
        let long = msg::TEXT_TOO_LONG
            .with("label", label::NOTE)
            .with("max", 5000);
        assert_eq!(
            Catalogue::english().message(&long),
            "The note must be 5000 characters or fewer"
        );
    }
}
