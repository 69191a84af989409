//! The eligibility request as the API and `advocase eligibility` read it.
//!
//! Beyond not panicking: a request that parses writes back to JSON that parses to the
//! same request (the referral form stores it that way and reads it again), the engine
//! answers every parsed request with the four duties in order, and a refusal names the
//! field it is about.
#![no_main]

use advocase_domain::eligibility::{
    Duty, EligibilityOutcome, EligibilityResponse, assess, parse_request,
};
use advocase_i18n::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The API refuses a body that is not UTF-8 before it reaches the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_request(text) {
        Ok(request) => {
            let written = serde_json::to_string(&request).expect("a parsed request is written");
            let again = parse_request(&written).expect("a written request parses again");
            assert_eq!(again, request, "written as {written}");

            let response = assess(&request);
            let duties: Vec<Duty> = response.duties.iter().map(|d| d.duty).collect();
            assert_eq!(duties, Duty::ALL);
            for duty in &response.duties {
                // As the contract has it: a "must" or "may" belongs to eligible outcomes
                // only; a duty that needs information lists what is missing and gives no
                // reasons; a decided one gives the rules that decided it.
                assert_eq!(
                    duty.must.is_some(),
                    duty.outcome == EligibilityOutcome::Eligible,
                    "{duty:?}"
                );
                assert_eq!(
                    !duty.missing.is_empty(),
                    duty.outcome == EligibilityOutcome::NeedsInformation,
                    "{duty:?}"
                );
                assert_eq!(
                    duty.reasons.is_empty(),
                    duty.outcome == EligibilityOutcome::NeedsInformation,
                    "{duty:?}"
                );
            }
            let answer = serde_json::to_string(&response).expect("the answer is written");
            let read: EligibilityResponse =
                serde_json::from_str(&answer).expect("the written answer reads back");
            assert_eq!(read, response);
        }
        Err(refusal) => {
            let words = Catalogue::english().message(&refusal.message);
            assert!(!words.is_empty());
            assert!(
                words.contains(&refusal.field),
                "the message does not name {:?}: {words}",
                refusal.field,
            );
        }
    }
});
