DROP INDEX referrals_provider_received;
DROP INDEX cases_provider_opened;
DROP TABLE demand_rates;
DROP TABLE population_figures;
DROP TABLE meeting_actions;
DROP TABLE link_meetings;
DROP TABLE contracts;
