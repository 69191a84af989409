//! The baselines: the same work the server does for a request, done without the server,
//! so each benchmark can say what the web layer costs on top of it.

use crate::stats::Summary;
use advocase_domain::casework::{ContactAnswers, NewContact};
use advocase_domain::eligibility::{assess, parse_request};
use advocase_domain::identity::OrganisationKind;
use advocase_domain::referral::{NewReferral, ReferralAnswers};
use advocase_storage::Store;
use advocase_storage::referrals::{Source, status};
use advocase_storage::schema::referrals;
use anyhow::Context;
use diesel::prelude::*;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Calls the eligibility engine in a loop on `threads` threads for `seconds`. With
/// `with_json`, each call also parses the request text and writes the answer as JSON,
/// as the API handler does; without it, only `assess` runs on a request parsed once.
pub fn eligibility(
    body: &str,
    seconds: f64,
    threads: usize,
    with_json: bool,
) -> anyhow::Result<Summary> {
    let request = parse_request(body).map_err(|e| anyhow::anyhow!("{e}"))?;
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let request = &request;
                scope.spawn(move || {
                    let mut done = 0u64;
                    // Reading the clock costs about as much as a call; look at it
                    // once per batch.
                    while Instant::now() < deadline {
                        for _ in 0..256 {
                            if with_json {
                                let parsed = parse_request(black_box(body)).ok();
                                let answer = parsed.as_ref().map(assess);
                                black_box(serde_json::to_string(&answer).ok());
                            } else {
                                black_box(assess(black_box(request)));
                            }
                        }
                        done += 256;
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    Ok(Summary {
        operations: total,
        seconds: start.elapsed().as_secs_f64(),
        ..Summary::default()
    })
}

/// How the referral baseline writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    /// The referral row alone, in its own transaction, on a connection with the
    /// server's settings: what the database costs.
    Raw,
    /// `Store::submit_referral`, as the handler calls it: the row, the audit entry, the
    /// chain head and the head file.
    Store,
}

/// The fields of a form body as a JSON object, for the domain's answer types; the
/// fields named in `lists` may repeat and become arrays (as checkboxes send them).
fn form_object(form: &str, lists: &[&str]) -> anyhow::Result<serde_json::Value> {
    let mut fields = serde_json::Map::new();
    for name in lists {
        fields.insert((*name).into(), serde_json::Value::Array(Vec::new()));
    }
    for pair in form.trim().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = serde_json::Value::String(decode_form_value(value)?);
        match fields.get_mut(name) {
            Some(serde_json::Value::Array(list)) if lists.contains(&name) => list.push(value),
            _ => {
                fields.insert(name.to_string(), value);
            }
        }
    }
    Ok(serde_json::Value::Object(fields))
}

/// The referral of a public form, checked as the server checks it.
pub fn referral_from_form(form: &str) -> anyhow::Result<NewReferral> {
    let answers: ReferralAnswers = serde_json::from_value(form_object(form, &["difficulty"])?)?;
    answers
        .parse(chrono::Utc::now().date_naive())
        .map_err(|invalid| anyhow::anyhow!("the benchmark's referral form is refused: {invalid:?}"))
}

/// The contact of a contact form, checked as the server checks it at `now`.
pub fn contact_from_form(form: &str, now: chrono::NaiveDateTime) -> anyhow::Result<NewContact> {
    let answers: ContactAnswers = serde_json::from_value(form_object(form, &[])?)?;
    answers
        .parse(now)
        .map_err(|invalid| anyhow::anyhow!("the benchmark's contact form is refused: {invalid:?}"))
}

/// Decodes one `application/x-www-form-urlencoded` value: `+` is a space, `%XX` a byte.
fn decode_form_value(value: &str) -> anyhow::Result<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])?;
                out.push(u8::from_str_radix(hex, 16)?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    Ok(String::from_utf8(out)?)
}

/// Writes referrals for `seconds` from `workers` threads, one transaction each, into a
/// fresh database at `database` (a SQLite file or a PostgreSQL URL), which is migrated
/// and given a provider first.
pub fn referral_insert(
    database: &str,
    audit_head: Option<std::path::PathBuf>,
    form: &str,
    seconds: f64,
    workers: usize,
    via: Via,
) -> anyhow::Result<Summary> {
    let referral = referral_from_form(form)?;
    // The store seals the referral's free text as the server does, with a key of its
    // own: the raw insert seals it too, so both write the same row.
    let store = Store::open(database, audit_head)
        .context("opening the baseline database")?
        .with_keys(advocase_storage::sealing::Keyring::generate());
    store.migrate()?;
    let provider = store.create_organisation(OrganisationKind::Provider, "Baseline provider")?;
    Ok(write_for(seconds, workers, |n| {
        // Eleven characters like a real reference, and a token hash of a real one's
        // length, both unique.
        let reference = format!("B{n:010}");
        let token_hash = format!("{n:064x}");
        match via {
            Via::Raw => insert_row(&store, provider, &referral, &reference, &token_hash),
            Via::Store => store
                .submit_referral(
                    provider,
                    &referral,
                    Source::Public,
                    None,
                    &reference,
                    &token_hash,
                )
                .map(|_| ())
                .map_err(anyhow::Error::from),
        }
    }))
}

/// Calls `write` with a running number from `workers` threads until `seconds` have
/// passed, and times each call: the loop every write baseline shares.
fn write_for(
    seconds: f64,
    workers: usize,
    write: impl Fn(u64) -> anyhow::Result<()> + Sync,
) -> Summary {
    let counter = AtomicU64::new(0);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let results: Vec<(u64, u64, Vec<u64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let (write, counter) = (&write, &counter);
                scope.spawn(move || {
                    let (mut done, mut failed, mut latencies) = (0u64, 0u64, Vec::new());
                    while Instant::now() < deadline {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        let began = Instant::now();
                        match write(n) {
                            Ok(()) => {
                                done += 1;
                                latencies.push(began.elapsed().as_micros() as u64);
                            }
                            Err(error) => {
                                if failed == 0 {
                                    eprintln!("advocase-bench: a write failed: {error:#}");
                                }
                                failed += 1;
                            }
                        }
                    }
                    (done, failed, latencies)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut summary = Summary {
        seconds: start.elapsed().as_secs_f64(),
        ..Summary::default()
    };
    for (done, failed, latencies) in results {
        summary.operations += done;
        summary.errors += failed;
        summary.latencies_us.extend(latencies);
    }
    summary
}

/// Writes contacts on one case of the server's own database for `seconds` from
/// `workers` threads: the row `Store::record_contact` writes, sealed with the server's
/// keys as it seals them, in a transaction of its own, on a connection with the
/// server's settings, without the audit entry or the check that the case may be
/// worked on. What the database costs for the contact form.
pub fn contact_insert(
    database: &str,
    keys: &std::path::Path,
    case_id: i64,
    form: &str,
    seconds: f64,
    workers: usize,
) -> anyhow::Result<Summary> {
    use advocase_storage::schema::{cases, contacts};
    let contact = contact_from_form(form, chrono::Local::now().naive_local())?;
    let store = Store::open(database, None)
        .context("opening the server's database")?
        .with_keys(advocase_storage::sealing::Keyring::open(keys)?);
    let recorded_by: i64 = store
        .read(|conn| {
            Ok(cases::table
                .find(case_id)
                .select(cases::advocate_id)
                .first::<Option<i64>>(conn)?)
        })?
        .context("the case has no advocate")?;
    let keys = store.keys()?;
    Ok(write_for(seconds, workers, |_| {
        let c = &contact;
        store.read(|conn| {
            conn.transaction(|conn| {
                diesel::insert_into(contacts::table)
                    .values((
                        contacts::case_id.eq(case_id),
                        contacts::occurred_at.eq(c.occurred_at),
                        contacts::mode.eq(c.mode.as_str()),
                        contacts::duration_minutes.eq(c.duration_minutes as i32),
                        contacts::present
                            .eq(keys.seal_some("contacts.present", c.present.as_deref())),
                        contacts::discussed.eq(keys.seal("contacts.discussed", &c.discussed)),
                        contacts::agreed.eq(keys.seal_some("contacts.agreed", c.agreed.as_deref())),
                        contacts::could_instruct.eq(c.could_instruct),
                        contacts::approach.eq(c.approach.map(|a| a.as_str())),
                        contacts::recorded_by.eq(recorded_by),
                        contacts::recorded_at.eq(advocase_storage::now()),
                    ))
                    .execute(conn)?;
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(advocase_storage::StoreError::from)
        })?;
        Ok(())
    }))
}

/// The referral row exactly as `Store::submit_referral` writes it, without the audit
/// entry, in a transaction of its own.
fn insert_row(
    store: &Store,
    provider_id: i64,
    r: &NewReferral,
    reference: &str,
    token_hash: &str,
) -> anyhow::Result<()> {
    let keys = store.keys()?;
    let seal_some = |column: &str, text: &Option<String>| keys.seal_some(column, text.as_deref());
    store.read(|conn| {
        conn.transaction(|conn| {
            diesel::insert_into(referrals::table)
                .values((
                    (
                        referrals::provider_id.eq(provider_id),
                        referrals::reference.eq(reference),
                        referrals::status_token_hash.eq(token_hash),
                        referrals::source.eq("public"),
                        referrals::referrer_kind.eq(r.referrer_kind.as_str()),
                        referrals::referrer_name.eq(&r.referrer_name),
                        referrals::referrer_organisation.eq(&r.referrer_organisation),
                        referrals::referrer_role.eq(&r.referrer_role),
                        referrals::referrer_email.eq(&r.referrer_email),
                        referrals::referrer_phone.eq(&r.referrer_phone),
                        referrals::referrer_relationship.eq(&r.referrer_relationship),
                        referrals::given_name.eq(&r.given_name),
                        referrals::family_name.eq(&r.family_name),
                        referrals::date_of_birth.eq(r.date_of_birth),
                        referrals::postcode.eq(&r.postcode),
                        referrals::address.eq(&r.address),
                    ),
                    (
                        referrals::phone.eq(&r.phone),
                        referrals::email.eq(&r.email),
                        referrals::local_authority.eq(&r.local_authority),
                        referrals::placed_out_of_area.eq(r.placed_out_of_area),
                        referrals::is_prisoner.eq(r.is_prisoner),
                        referrals::language.eq(&r.language),
                        referrals::needs_interpreter.eq(r.needs_interpreter),
                        referrals::uses_bsl.eq(r.uses_bsl),
                        referrals::wants_easy_read.eq(r.wants_easy_read),
                        referrals::preferred_contact.eq(&r.preferred_contact),
                        referrals::what_is_happening
                            .eq(keys.seal("referrals.what_is_happening", &r.what_is_happening)),
                        referrals::meeting_date.eq(r.meeting_date),
                        referrals::deadline_date.eq(r.deadline_date),
                        referrals::compulsion_date.eq(r.compulsion_date),
                        referrals::safeguarding_concerns.eq(seal_some(
                            "referrals.safeguarding_concerns",
                            &r.safeguarding_concerns,
                        )),
                        referrals::risk_to_visitor
                            .eq(seal_some("referrals.risk_to_visitor", &r.risk_to_visitor)),
                    ),
                    (
                        referrals::consent.eq(r.consent.as_str()),
                        referrals::consent_note
                            .eq(seal_some("referrals.consent_note", &r.consent_note)),
                        referrals::eligibility_answers.eq(r.eligibility_json()),
                        referrals::status.eq(status::RECEIVED),
                        referrals::received_at.eq(advocase_storage::now()),
                        referrals::created_by.eq(None::<i64>),
                    ),
                ))
                .execute(conn)?;
            Ok::<_, diesel::result::Error>(())
        })
        .map_err(advocase_storage::StoreError::from)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded_as_browsers_encode_them() {
        assert_eq!(decode_form_value("a+b%40c.test").unwrap(), "a b@c.test");
        assert_eq!(decode_form_value("caf%C3%A9").unwrap(), "café");
        assert_eq!(decode_form_value("").unwrap(), "");
    }

    #[test]
    fn the_benchmark_referral_passes_the_forms_checks() {
        let form = include_str!("../../data/referral.form");
        let referral = referral_from_form(form).unwrap();
        assert_eq!(referral.given_name, "Maya");
        assert!(referral.is_detained());
    }

    #[test]
    fn the_benchmark_contact_passes_the_forms_checks() {
        let form = include_str!("../../data/contact.form");
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let contact = contact_from_form(form, now).unwrap();
        assert_eq!(contact.duration_minutes, 45);
        assert!(contact.could_instruct);
        assert!(contact.discussed.starts_with("Talked through her rights"));
    }
}

/// One count, for a query wrapped as `SELECT COUNT(*) AS n FROM (…)`.
#[derive(QueryableByName)]
struct Rows {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The aggregates behind a contract's report as plain SQL, one statement each, with the
/// contract's provider, duties and areas written in: what the database must do for the
/// report without the store, the audit entry, suppression or rendering.
pub fn report_statements(
    conn: &mut advocase_storage::DbConnection,
    contract: i64,
    from: &str,
    to_exclusive: &str,
) -> anyhow::Result<Vec<String>> {
    use advocase_storage::schema::contracts;
    let (provider, duties, areas): (i64, String, String) = contracts::table
        .find(contract)
        .select((contracts::provider_id, contracts::duties, contracts::areas))
        .first(conn)
        .context("reading the contract")?;
    let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let duties = duties.split(',').map(quote).collect::<Vec<_>>().join(", ");
    let areas = areas.lines().map(quote).collect::<Vec<_>>().join(", ");
    let (start, end) = (
        quote(&format!("{from} 00:00:00")),
        quote(&format!("{to_exclusive} 00:00:00")),
    );
    let (day_from, day_to) = (quote(from), quote(to_exclusive));
    let scope = format!(
        "c.provider_id = {provider} AND c.duty IN ({duties}) AND p.local_authority IN ({areas})"
    );
    let cases = "cases c JOIN people p ON p.id = c.person_id";
    let received = format!(
        "r.provider_id = {provider} AND r.local_authority IN ({areas}) AND r.received_at >= {start} AND r.received_at < {end}"
    );
    let referrals = format!(
        "referrals r WHERE {received} AND (NOT EXISTS (SELECT 1 FROM referral_decisions d WHERE d.referral_id = r.id) OR EXISTS (SELECT 1 FROM referral_decisions d WHERE d.referral_id = r.id AND d.duty IN ({duties})))"
    );
    Ok(vec![
        format!("SELECT r.referrer_kind, COUNT(*) FROM {referrals} GROUP BY r.referrer_kind"),
        format!("SELECT r.local_authority, COUNT(*) FROM {referrals} GROUP BY r.local_authority"),
        format!(
            "SELECT d.duty, COUNT(*) FROM referrals r JOIN referral_decisions d ON d.referral_id = r.id WHERE {received} AND d.duty IN ({duties}) GROUP BY d.duty"
        ),
        format!(
            "SELECT COUNT(*) FROM referrals r WHERE {received} AND NOT EXISTS (SELECT 1 FROM referral_decisions d WHERE d.referral_id = r.id)"
        ),
        format!(
            "SELECT c.duty, COUNT(*) FROM {cases} WHERE {scope} AND c.opened_at >= {start} AND c.opened_at < {end} GROUP BY c.duty"
        ),
        format!(
            "SELECT c.closure_reason, COUNT(*) FROM {cases} WHERE {scope} AND c.closed_at >= {start} AND c.closed_at < {end} GROUP BY c.closure_reason"
        ),
        format!(
            "SELECT t.mode, COUNT(*), SUM(t.duration_minutes) FROM contacts t JOIN cases c ON c.id = t.case_id JOIN people p ON p.id = c.person_id WHERE {scope} AND t.occurred_at >= {start} AND t.occurred_at < {end} GROUP BY t.mode"
        ),
        format!(
            "SELECT c.id, r.received_at, (SELECT MIN(t.occurred_at) FROM contacts t WHERE t.case_id = c.id) FROM {cases} JOIN referrals r ON r.id = c.referral_id WHERE {scope} AND c.opened_at >= {start} AND c.opened_at < {end}"
        ),
        format!(
            "SELECT c.opened_at FROM {cases} WHERE {scope} AND c.opened_at < {end} AND (c.allocated_at IS NULL OR c.allocated_at >= {end}) AND (c.closed_at IS NULL OR c.closed_at >= {end})"
        ),
        format!(
            "SELECT d.decision, d.suggested, COUNT(*) FROM referral_decisions d JOIN referrals r ON r.id = d.referral_id WHERE r.provider_id = {provider} AND r.local_authority IN ({areas}) AND d.duty IN ({duties}) AND d.decided_at >= {start} AND d.decided_at < {end} GROUP BY d.decision, d.suggested"
        ),
        format!(
            "SELECT i.outcome, i.process, c.duty, i.outcome_in_their_words IS NOT NULL FROM case_issues i JOIN cases c ON c.id = i.case_id JOIN people p ON p.id = c.person_id WHERE {scope} AND i.outcome_recorded_at >= {start} AND i.outcome_recorded_at < {end}"
        ),
        format!(
            "SELECT COUNT(*), SUM(f.overall) FROM feedback_responses f WHERE f.provider_id = {provider} AND f.submitted_on >= {day_from} AND f.submitted_on < {day_to}"
        ),
        format!(
            "SELECT s.category, COUNT(*) FROM safeguarding_concerns s JOIN cases c ON c.id = s.case_id JOIN people p ON p.id = c.person_id WHERE {scope} AND s.raised_on >= {day_from} AND s.raised_on < {day_to} GROUP BY s.category"
        ),
        format!(
            "SELECT k.kind, COUNT(*) FROM complaints k WHERE k.provider_id = {provider} AND k.received_on >= {day_from} AND k.received_on < {day_to} GROUP BY k.kind"
        ),
        format!(
            "SELECT COUNT(*) FROM service_signals g WHERE g.provider_id = {provider} AND g.sent_on >= {day_from} AND g.sent_on < {day_to}"
        ),
        format!(
            "SELECT e.characteristic, e.answer, COUNT(*) FROM equality_answers e WHERE e.person_id IN (SELECT c.person_id FROM {cases} WHERE {scope} AND c.opened_at < {end} GROUP BY c.person_id HAVING MIN(c.opened_at) >= {start}) GROUP BY e.characteristic, e.answer"
        ),
    ])
}

/// Runs the report's aggregates as plain SQL in a loop for `seconds`, one report at a
/// time, and times each whole report.
pub fn report_sql(
    database: &str,
    contract: i64,
    from: &str,
    to_exclusive: &str,
    seconds: f64,
) -> anyhow::Result<Summary> {
    let mut conn = <advocase_storage::DbConnection as Connection>::establish(database)
        .context("opening the database")?;
    let statements = report_statements(&mut conn, contract, from, to_exclusive)?;
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut summary = Summary::default();
    while Instant::now() < deadline || summary.operations == 0 {
        let began = Instant::now();
        for statement in &statements {
            // Counting the rows makes the database produce every one of them.
            let rows: Vec<Rows> =
                diesel::sql_query(format!("SELECT COUNT(*) AS n FROM ({statement}) q"))
                    .load(&mut conn)?;
            black_box(rows.first().map(|r| r.n));
        }
        summary
            .latencies_us
            .push(began.elapsed().as_micros() as u64);
        summary.operations += 1;
    }
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}
