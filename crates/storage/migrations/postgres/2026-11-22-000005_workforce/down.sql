DROP TABLE equality_answers;
DROP TABLE supervisions;
DROP TABLE training_records;
DROP TABLE allocation_rules;
DROP TABLE qualifications;
DROP TABLE staff_profiles;
