DROP TABLE portal_failures;
DROP TABLE portal_codes;
DROP INDEX sessions_by_constituent;
ALTER TABLE sessions DROP COLUMN constituent_id;
