DROP INDEX equality_answers_person;
