DROP INDEX people_restricted;
