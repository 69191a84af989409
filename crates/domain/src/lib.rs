//! The rules and types of independent advocacy, free of any IO.
//!
//! Everything here is pure: no database, no HTTP, no clock reads. The storage and web
//! crates turn the outside world into these types first ("parse, don't validate") and
//! call these functions to decide things, so the rules can be tested on fixed inputs.

/// Declares a closed set of codes stored as text, with its list, its text form and its
/// parser, so each set is written once.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.as_str() == value.trim())
            }
        }
    };
}

pub mod assessment;
pub mod audit;
pub mod casework;
pub mod clocks;
pub mod confidentiality;
pub mod eligibility;
pub mod identity;
pub mod referral;
pub mod reporting;
pub mod safeguarding;
pub mod suppression;
pub mod validation;
pub mod workforce;
