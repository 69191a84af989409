-- Every list of cases leaves out the people restricted to other users, which means
-- finding the restricted people first. Without an index that read every person's row
-- (a million in a large installation) on every caseload and case page; restricted
-- people are few, and the index finds them at once.
CREATE INDEX people_restricted ON people (restricted);
