DROP TABLE rectification_requests;
DROP TABLE person_accounts;
