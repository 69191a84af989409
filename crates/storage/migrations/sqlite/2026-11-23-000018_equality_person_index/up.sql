-- A monitoring report reads the equality answers of the people who started advocacy
-- in its period, by person: without this index each lookup reads every answer.
CREATE INDEX equality_answers_person ON equality_answers (person_id);
