//! The rules and types of independent advocacy, free of any IO.
//!
//! Everything here is pure: no database, no HTTP, no clock reads. The storage and web
//! crates turn the outside world into these types first ("parse, don't validate") and
//! call these functions to decide things, so the rules can be tested on fixed inputs.

pub mod audit;
pub mod casework;
pub mod clocks;
pub mod eligibility;
pub mod identity;
pub mod referral;
pub mod suppression;
pub mod validation;
pub mod workforce;
