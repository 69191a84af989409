DROP TABLE retention_checks;
