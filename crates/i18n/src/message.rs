//! A sentence to show someone, named by its key in the catalogue, with the values it
//! mentions. The rules that refuse input build these; only the edges (pages, the API
//! and the command line) turn them into words, through [`crate::Catalogue`].

/// A key of the catalogue declared in [`crate::msg`] or [`crate::label`], with the names
/// of the values its text uses. Keys can only be declared there, so every key a rule can
/// name is in one list that a test checks against the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageKey {
    key: &'static str,
    args: &'static [&'static str],
}

impl MessageKey {
    pub(crate) const fn declare(key: &'static str, args: &'static [&'static str]) -> Self {
        Self { key, args }
    }

    /// The key as the catalogue spells it.
    pub const fn key(self) -> &'static str {
        self.key
    }

    /// The names of the values the text uses, as declared.
    pub const fn args(self) -> &'static [&'static str] {
        self.args
    }

    /// The message with its first value.
    pub fn with(self, name: &'static str, value: impl Into<MessageArg>) -> Message {
        Message::from(self).with(name, value)
    }
}

/// A message: a declared key and the values its text needs.
#[derive(Debug, Clone)]
pub struct Message {
    key: MessageKey,
    args: Vec<(&'static str, MessageArg)>,
}

/// A value a message mentions. A nested message (such as the label of a field in
/// "Enter the date of the contact") is put into words by the same catalogue first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageArg {
    /// Words that are data, not text of ours: a name, a case number list, a value typed.
    Text(String),
    /// A number, so the catalogue can choose singular or plural words for it.
    Number(i64),
    Message(Message),
}

impl Message {
    /// Adds a value the text uses. The name must be one the key declares: a value the
    /// text does not use would be lost without anyone noticing.
    pub fn with(mut self, name: &'static str, value: impl Into<MessageArg>) -> Self {
        debug_assert!(
            self.key.args.contains(&name),
            "{} does not declare the value {name}",
            self.key.key
        );
        self.args.push((name, value.into()));
        self
    }

    pub fn key(&self) -> MessageKey {
        self.key
    }

    pub fn args(&self) -> &[(&'static str, MessageArg)] {
        &self.args
    }

    /// The value given for `name`, if any.
    pub fn arg(&self, name: &str) -> Option<&MessageArg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// True when this is a message of `key`, whatever its values.
    pub fn is(&self, key: MessageKey) -> bool {
        self.key.key == key.key
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.key.key == other.key.key && self.args == other.args
    }
}

impl Eq for Message {}

impl PartialEq<MessageKey> for Message {
    fn eq(&self, other: &MessageKey) -> bool {
        self.is(*other) && self.args.is_empty()
    }
}

impl From<MessageKey> for Message {
    fn from(key: MessageKey) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }
}

impl From<String> for MessageArg {
    fn from(text: String) -> Self {
        MessageArg::Text(text)
    }
}

impl From<&str> for MessageArg {
    fn from(text: &str) -> Self {
        MessageArg::Text(text.to_owned())
    }
}

impl From<&String> for MessageArg {
    fn from(text: &String) -> Self {
        MessageArg::Text(text.clone())
    }
}

impl From<i64> for MessageArg {
    fn from(number: i64) -> Self {
        MessageArg::Number(number)
    }
}

impl From<i32> for MessageArg {
    fn from(number: i32) -> Self {
        MessageArg::Number(number.into())
    }
}

impl From<u32> for MessageArg {
    fn from(number: u32) -> Self {
        MessageArg::Number(number.into())
    }
}

impl From<usize> for MessageArg {
    fn from(number: usize) -> Self {
        MessageArg::Number(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

impl From<MessageKey> for MessageArg {
    fn from(key: MessageKey) -> Self {
        MessageArg::Message(key.into())
    }
}

impl From<Message> for MessageArg {
    fn from(message: Message) -> Self {
        MessageArg::Message(message)
    }
}

/// Declares keys of the catalogue as constants, each with the values its text uses, and
/// `ALL`, the list of them.
macro_rules! declare_keys {
    ($($(#[$doc:meta])* $name:ident = $key:literal $(($($arg:ident),+))?;)*) => {
        $(
            $(#[$doc])*
            pub const $name: $crate::MessageKey =
                $crate::MessageKey::declare($key, &[$($(stringify!($arg)),+)?]);
        )*
        /// Every key declared here, for the test that the catalogue has each of them.
        pub const ALL: &[$crate::MessageKey] = &[$($name),*];
    };
}

pub(crate) use declare_keys;
