DROP TABLE cases;
DROP TABLE referral_decisions;
DROP TABLE referrals;
DROP TABLE people;
