//! The population figures a commissioner imports under *Demand*, read as
//! `POST /demand/population` reads the uploaded file.
//!
//! Beyond not panicking: every row accepted has an area and figures within the stated
//! ranges, the rows written back as CSV read to the same rows, and a refusal is about
//! the file, in words.
#![no_main]

use advocase_domain::reporting::{PopulationRow, parse_population_csv};
use advocase_i18n::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The handler reads the upload as text, replacing bytes that are not UTF-8.
    let text = String::from_utf8_lossy(data);
    match parse_population_csv(&text) {
        Ok(rows) => {
            assert!(!rows.is_empty());
            for row in &rows {
                assert!(!row.area.is_empty(), "{row:?}");
                assert!((2000..=2100).contains(&row.year), "{row:?}");
                assert!((0..=100_000_000).contains(&row.adults), "{row:?}");
                assert!((0..=100_000_000).contains(&row.assessments), "{row:?}");
            }
            let written = write(&rows);
            // Lines may differ (blank lines are not written back); the figures may not.
            let figures = |rows: &[PopulationRow]| {
                rows.iter()
                    .map(|r| (r.area.clone(), r.year, r.adults, r.assessments))
                    .collect::<Vec<_>>()
            };
            let again = parse_population_csv(&written).expect("what was read reads again");
            assert_eq!(figures(&again), figures(&rows), "written as {written:?}");
        }
        Err(invalid) => {
            assert_eq!(invalid.0.len(), 1);
            assert_eq!(invalid.0[0].field, "file");
            assert!(
                !Catalogue::english()
                    .message(&invalid.0[0].message)
                    .is_empty()
            );
        }
    }
});

/// The rows as a spreadsheet would save them, with the header the import asks for.
fn write(rows: &[PopulationRow]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["area", "year", "adults", "assessments"])
        .expect("the header is written");
    for row in rows {
        writer
            .write_record([
                row.area.clone(),
                row.year.to_string(),
                row.adults.to_string(),
                row.assessments.to_string(),
            ])
            .expect("a row is written");
    }
    let bytes = writer.into_inner().expect("the CSV is finished");
    String::from_utf8(bytes).expect("CSV written from text is text")
}
