//! Errors that name the field a person got wrong, in words they understand.
//!
//! Every form and API call parses its input into domain types at the edge. When that
//! fails, the answer lists each wrong field with a plain reason, and nothing is stored.
//! The reason is a [`Message`]: a key of the catalogue and the values it mentions. The
//! edges put it into words with the one catalogue (`advocase_i18n::Catalogue`).

use advocase_i18n::{Message, msg};
use std::fmt;

/// One wrong field: the form field name (or dotted JSON path) and a plain reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The field and the message's key, never its values: this is what logs would show.
impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message.key().key())
    }
}

impl std::error::Error for FieldError {}

/// A set of field errors from one submission, in the order the fields appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self(vec![FieldError::new(field, message)])
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<Message>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of a parse, keeping the value when it parsed.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// Ends a run of checks: `Ok(())` when every field was right.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn message_for(&self, field: &str) -> Option<&Message> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.message)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(FieldError::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

impl From<FieldError> for Invalid {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

/// Trims a free-text answer and refuses it when empty or longer than `max` characters.
/// `label` names the field inside a sentence: "Enter the outcome".
pub fn required_text(
    field: &str,
    label: impl Into<Message>,
    value: &str,
    max: usize,
) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            msg::ENTER.with("label", label.into()),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(too_long(field, label, max));
    }
    Ok(trimmed.to_string())
}

/// The error for a text longer than `max` characters.
pub fn too_long(field: &str, label: impl Into<Message>, max: usize) -> FieldError {
    FieldError::new(
        field,
        msg::TEXT_TOO_LONG
            .with("label", label.into())
            .with("max", max),
    )
}

/// The words of a message in English, for tests that check what a person will read.
#[cfg(test)]
pub(crate) fn english(message: &Message) -> String {
    advocase_i18n::Catalogue::english().message(message)
}

/// The English words of the error for `field`, for tests.
#[cfg(test)]
pub(crate) fn words_for(invalid: &Invalid, field: &str) -> String {
    let message = invalid
        .message_for(field)
        .unwrap_or_else(|| panic!("no error for {field}: {invalid:?}"));
    english(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use advocase_i18n::label;

    #[test]
    fn empty_text_is_refused_naming_the_field() {
        let error = required_text("name", label::A_NAME, "   ", 10).unwrap_err();
        assert_eq!(error.field, "name");
        assert_eq!(english(&error.message), "Enter a name");
    }

    #[test]
    fn overlong_text_is_refused_with_the_limit() {
        let error = required_text("name", label::A_NAME, "abcdef", 5).unwrap_err();
        assert_eq!(
            english(&error.message),
            "A name must be 5 characters or fewer"
        );
    }

    #[test]
    fn text_is_trimmed() {
        assert_eq!(
            required_text("name", label::A_NAME, "  Ada  ", 10).unwrap(),
            "Ada"
        );
    }

    #[test]
    fn an_error_shows_its_field_and_key_but_not_the_values() {
        let error = required_text("name", label::A_NAME, "abcdef", 5).unwrap_err();
        assert_eq!(error.to_string(), "name: text-too-long");
        let invalid = Invalid::from(error);
        assert_eq!(invalid.to_string(), "name: text-too-long");
    }
}
