DROP TABLE self_assessment_links;
DROP TABLE self_assessment_items;
DROP TABLE self_assessments;
DROP TABLE policies;
