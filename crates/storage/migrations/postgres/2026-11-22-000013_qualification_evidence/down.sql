DROP TABLE qualification_evidence;
