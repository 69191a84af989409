DROP TABLE service_concerns;
DROP TABLE service_signals;
DROP TABLE feedback_responses;
DROP TABLE complaints;
DROP TABLE safeguarding_concerns;
