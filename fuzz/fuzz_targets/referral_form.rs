//! The public referral form, decoded from its `application/x-www-form-urlencoded` body
//! exactly as `POST /refer` and `POST /referrals/new` decode it, then checked.
//!
//! Beyond not panicking: the answers encoded again decode to the same answers; a
//! refusal names only fields the form has; an accepted referral keeps every date in the
//! range and on the side of today the form promises, a postcode already in its written
//! form, names and text within their lengths, and eligibility answers that the
//! contract's own parser reads back unchanged.
#![no_main]

use advocase_domain::eligibility::parse_request;
use advocase_domain::referral::{
    MAX_SHORT, MAX_TEXT, NewReferral, ReferralAnswers, normalise_postcode,
};
use chrono::{Datelike, NaiveDate};
use advocase_i18n::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let answers = ReferralAnswers::from_form_body(data);
    assert_eq!(
        ReferralAnswers::from_form_body(encode(&answers).as_bytes()),
        answers,
        "decoding the encoded answers changed them"
    );

    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("a real date");
    match answers.parse(today) {
        Ok(referral) => check_accepted(&referral, today),
        Err(invalid) => {
            assert!(!invalid.is_empty());
            let fields = form_fields();
            for error in &invalid.0 {
                assert!(
                    fields.contains(&error.field),
                    "{:?} is not a field of the form",
                    error.field
                );
                assert!(!Catalogue::english().message(&error.message).is_empty());
            }
        }
    }
});

fn check_accepted(referral: &NewReferral, today: NaiveDate) {
    let in_range = |date: &NaiveDate| (1900..=2100).contains(&date.year());
    let dates = [
        referral.date_of_birth,
        referral.meeting_date,
        referral.deadline_date,
        referral.compulsion_date,
    ];
    assert!(dates.iter().flatten().all(in_range), "{dates:?}");
    assert!(referral.date_of_birth.is_none_or(|born| born <= today));
    assert!(referral.compulsion_date.is_none_or(|began| began <= today));
    assert!(referral.meeting_date.is_none_or(|meeting| meeting >= today));

    if let Some(postcode) = &referral.postcode {
        assert_eq!(normalise_postcode(postcode).as_ref(), Some(postcode));
    }
    for name in [&referral.given_name, &referral.family_name] {
        assert!(!name.is_empty() && name.trim() == name.as_str());
        assert!(name.chars().count() <= MAX_SHORT);
    }
    assert!(!referral.what_is_happening.is_empty());
    assert!(referral.what_is_happening.chars().count() <= MAX_TEXT);

    let stored = referral.eligibility_json();
    assert_eq!(
        parse_request(&stored).as_ref(),
        Ok(&referral.eligibility),
        "stored as {stored}"
    );
}

/// The answers as a browser would send them: one pair per field, one per ticked box.
fn encode(answers: &ReferralAnswers) -> String {
    let serde_json::Value::Object(fields) =
        serde_json::to_value(answers).expect("the answers are written")
    else {
        unreachable!("the answers are a struct");
    };
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &fields {
        match value {
            serde_json::Value::String(text) => {
                body.append_pair(name, text);
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    body.append_pair(name, item.as_str().expect("a list of text"));
                }
            }
            other => unreachable!("{name} is {other}"),
        }
    }
    body.finish()
}

/// The names of the form's fields, taken from the answers type itself.
fn form_fields() -> Vec<String> {
    match serde_json::to_value(ReferralAnswers::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => unreachable!("the answers are a struct"),
    }
}
